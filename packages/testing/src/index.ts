export { startTestServer, type TestServer, type TestServerOptions } from "./test-server.js";
export { startTestCluster, type TestCluster, type TestClusterOptions, type TestMember } from "./test-cluster.js";
export { LinkRelay } from "./link-relay.js";
