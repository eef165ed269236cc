/** ZooKeeper's default `jute.maxbuffer`: 1 MiB minus one byte, on both client and server. */
export const JUTE_MAX_BUFFER_DEFAULT = 0xfffff;
