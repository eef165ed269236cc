/** The Jepsen-style lab. Its drivers, nemeses and workloads arrive with the lab issue. */
export const LAB_VERSION = "0.1.0";
