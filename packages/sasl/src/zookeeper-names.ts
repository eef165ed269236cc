/**
 * The names ZooKeeper fixes for DIGEST-MD5 (its SecurityUtils and QuorumAuth): the service
 * and server name, which make the digest-uri ("zookeeper/zk-sasl-md5") and the realm.
 */
export const ZOOKEEPER_DIGEST = { protocol: "zookeeper", serverName: "zk-sasl-md5" } as const;

/** The same between ensemble members (quorum.auth.*). */
export const ZOOKEEPER_QUORUM_DIGEST = { protocol: "zookeeper-quorum", serverName: "zk-quorum-sasl-md5" } as const;
