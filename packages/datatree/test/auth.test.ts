import { createHash } from "node:crypto";
import type { ACL, Id } from "@zkts/jute";
import { describe, expect, it } from "vitest";
import { aclPermits, authenticate, digestOf, isAuthenticatedScheme, isKnownScheme, isValidAclId } from "../src/index.js";

const READ = 1;
const WRITE = 2;
const CREATE = 4;
const DELETE = 8;
const ADMIN = 16;
const ALL = 31;

function acl(perms: number, scheme: string, id: string): ACL {
  return { perms, id: { scheme, id } };
}

function ip(address: string): Id[] {
  return [{ scheme: "ip", id: address }];
}

describe("digestOf (DigestAuthenticationProvider.generateDigest)", () => {
  it("matches a fixed vector for super:letmein", () => {
    // SHA1("super:letmein") in base64, computed with `openssl sha1 -binary | base64`; this is
    // the value a superDigest setting for that password holds in zoo.cfg / JVM flags.
    expect(digestOf("super:letmein")).toBe("super:5ZIErkhbrC1ytr/v6D+dXQw7elQ=");
  });

  it("is user:base64(sha1(whole user:password string))", () => {
    for (const input of ["super:letmein", "alice:secret", "bob:", "u:p:with:colons", "ünï:cödé"]) {
      const user = input.substring(0, input.indexOf(":"));
      const expected = `${user}:${createHash("sha1").update(Buffer.from(input, "utf8")).digest("base64")}`;
      expect(digestOf(input), input).toBe(expected);
    }
  });

  it("uses the whole string as the user when there is no colon", () => {
    const expected = `nocolon:${createHash("sha1").update("nocolon").digest("base64")}`;
    expect(digestOf("nocolon")).toBe(expected);
  });

  it("honours another digest algorithm", () => {
    const expected = `u:${createHash("sha256").update("u:p").digest("base64")}`;
    expect(digestOf("u:p", "SHA-256")).toBe(expected);
  });
});

describe("authenticate", () => {
  it("gives a digest id for digest credentials", () => {
    expect(authenticate("digest", Buffer.from("alice:secret"), {})).toEqual([{ scheme: "digest", id: digestOf("alice:secret") }]);
  });

  it("adds the super id when the digest equals the configured super digest", () => {
    const config = { superDigest: digestOf("super:letmein") };
    expect(authenticate("digest", Buffer.from("super:letmein"), config)).toEqual([
      { scheme: "super", id: "" },
      { scheme: "digest", id: digestOf("super:letmein") },
    ]);
    expect(authenticate("digest", Buffer.from("super:wrong"), config)).toEqual([{ scheme: "digest", id: digestOf("super:wrong") }]);
  });

  it("rejects schemes it has no provider for, and a null scheme", () => {
    expect(authenticate("kerberos", Buffer.from("x"), {})).toBeNull();
    expect(authenticate(null, Buffer.from("alice:pw"), {})).toBeNull();
  });

  it("accepts ip whatever the credentials, adding nothing the connection lacks", () => {
    expect(authenticate("ip", Buffer.from("127.0.0.1"), {})).toEqual([]);
    expect(authenticate("ip", null, {})).toEqual([]);
  });

  it('fails digest on null credentials and takes empty ones as user ""', () => {
    expect(authenticate("digest", null, {})).toBeNull();
    expect(authenticate("digest", Buffer.alloc(0), {})).toEqual([{ scheme: "digest", id: ":2jmj7l5rSw0yVb/vlWAYkK/YBwk=" }]);
  });
});

describe("isValidAclId", () => {
  it("world accepts only anyone", () => {
    expect(isValidAclId({ scheme: "world", id: "anyone" })).toBe(true);
    expect(isValidAclId({ scheme: "world", id: "someone" })).toBe(false);
  });

  it("digest needs exactly user:hash (Java split semantics drop trailing empties)", () => {
    expect(isValidAclId({ scheme: "digest", id: "alice:abc=" })).toBe(true);
    expect(isValidAclId({ scheme: "digest", id: "alice" })).toBe(false);
    expect(isValidAclId({ scheme: "digest", id: "alice:" })).toBe(false);
    expect(isValidAclId({ scheme: "digest", id: "a:b:c" })).toBe(false);
  });

  it("ip accepts v4 and v6 addresses and CIDR masks within the address width", () => {
    for (const id of ["10.0.0.1", "10.0.0.0/8", "0.0.0.0/0", "10.1.2.3/32", "::1", "fe80::/10", "2001:db8::/128"]) {
      expect(isValidAclId({ scheme: "ip", id }), id).toBe(true);
    }
    for (const id of ["10.0.0", "256.0.0.1", "10.0.0.0/33", "10.0.0.0/x", "10.0.0.0/-1", "::1/129", "1::2::3", "host"]) {
      expect(isValidAclId({ scheme: "ip", id }), id).toBe(false);
    }
  });

  it("unknown schemes are invalid and only digest and super count as authenticated", () => {
    expect(isValidAclId({ scheme: "x509", id: "CN=a" })).toBe(false);
    expect(isKnownScheme("world") && isKnownScheme("digest") && isKnownScheme("ip")).toBe(true);
    expect(isKnownScheme("auth")).toBe(false);
    expect(isAuthenticatedScheme("digest")).toBe(true);
    expect(isAuthenticatedScheme("super")).toBe(true);
    expect(isAuthenticatedScheme("ip")).toBe(false);
  });
});

describe("aclPermits (ZooKeeperServer.checkACL)", () => {
  const alice: Id[] = [{ scheme: "digest", id: digestOf("alice:secret") }];

  it("world:anyone grants exactly the bits in its perms", () => {
    const list = [acl(READ | WRITE, "world", "anyone")];
    expect(aclPermits(list, READ, [], {})).toBe(true);
    expect(aclPermits(list, WRITE, [], {})).toBe(true);
    for (const perm of [CREATE, DELETE, ADMIN]) expect(aclPermits(list, perm, [], {})).toBe(false);
  });

  it("each perm bit is checked on its own across entries", () => {
    const list = [acl(CREATE, "world", "anyone"), acl(DELETE, "digest", alice[0]!.id)];
    expect(aclPermits(list, CREATE, [], {})).toBe(true);
    expect(aclPermits(list, DELETE, [], {})).toBe(false);
    expect(aclPermits(list, DELETE, alice, {})).toBe(true);
    expect(aclPermits(list, ADMIN, alice, {})).toBe(false);
  });

  it("digest matches the exact id only", () => {
    const list = [acl(ALL, "digest", alice[0]!.id)];
    expect(aclPermits(list, READ, alice, {})).toBe(true);
    expect(aclPermits(list, READ, [{ scheme: "digest", id: digestOf("alice:other") }], {})).toBe(false);
    expect(aclPermits(list, READ, [], {})).toBe(false);
    // The id has to come from the same scheme.
    expect(aclPermits(list, READ, [{ scheme: "ip", id: alice[0]!.id }], {})).toBe(false);
  });

  it("ip matches v4 addresses and CIDR ranges", () => {
    const list = [acl(ALL, "ip", "192.168.1.0/24")];
    expect(aclPermits(list, READ, ip("192.168.1.77"), {})).toBe(true);
    expect(aclPermits(list, READ, ip("192.168.2.77"), {})).toBe(false);
    expect(aclPermits([acl(ALL, "ip", "10.0.0.1")], READ, ip("10.0.0.1"), {})).toBe(true);
    expect(aclPermits([acl(ALL, "ip", "10.0.0.1")], READ, ip("10.0.0.2"), {})).toBe(false);
    // A mask that is not on a byte boundary: 10.0.0.0/9 covers 10.0.0.0-10.127.255.255.
    expect(aclPermits([acl(ALL, "ip", "10.0.0.0/9")], READ, ip("10.127.1.1"), {})).toBe(true);
    expect(aclPermits([acl(ALL, "ip", "10.0.0.0/9")], READ, ip("10.128.0.0"), {})).toBe(false);
    expect(aclPermits([acl(ALL, "ip", "0.0.0.0/0")], READ, ip("8.8.8.8"), {})).toBe(true);
  });

  it("ip treats an IPv4-mapped IPv6 client address as its IPv4 address", () => {
    expect(aclPermits([acl(ALL, "ip", "127.0.0.1")], READ, ip("::ffff:127.0.0.1"), {})).toBe(true);
  });

  it("ip matches v6 addresses and CIDR ranges, and never across families", () => {
    expect(aclPermits([acl(ALL, "ip", "::1")], READ, ip("::1"), {})).toBe(true);
    expect(aclPermits([acl(ALL, "ip", "::1")], READ, ip("0:0:0:0:0:0:0:1"), {})).toBe(true);
    expect(aclPermits([acl(ALL, "ip", "2001:db8::/32")], READ, ip("2001:db8:ffff::1"), {})).toBe(true);
    expect(aclPermits([acl(ALL, "ip", "2001:db8::/32")], READ, ip("2001:db9::1"), {})).toBe(false);
    expect(aclPermits([acl(ALL, "ip", "fe80::/10")], READ, ip("febf::1"), {})).toBe(true);
    expect(aclPermits([acl(ALL, "ip", "fe80::/10")], READ, ip("fec0::1"), {})).toBe(false);
    expect(aclPermits([acl(ALL, "ip", "0.0.0.0/0")], READ, ip("::1"), {})).toBe(false);
  });

  it("super bypasses every ACL and skipAcl disables the check", () => {
    const closed = [acl(READ, "digest", alice[0]!.id)];
    expect(aclPermits(closed, ADMIN, [{ scheme: "super", id: "" }], {})).toBe(true);
    expect(aclPermits(closed, ADMIN, [], { skipAcl: true })).toBe(true);
    expect(aclPermits(closed, ADMIN, [], {})).toBe(false);
  });

  it("an empty ACL list permits everything", () => {
    expect(aclPermits([], ADMIN, [], {})).toBe(true);
  });

  it("entries of unknown schemes grant nothing", () => {
    expect(aclPermits([acl(ALL, "x509", "CN=a")], READ, [{ scheme: "x509", id: "CN=a" }], {})).toBe(false);
  });
});

describe("the x509 scheme (X509AuthenticationProvider), when the provider is loaded", () => {
  const x509 = { x509: { superUser: null } };
  const alice = "CN=alice,O=Acme\\, Inc.,C=DE";

  it("knows the scheme and validates ids as X.500 names", () => {
    expect(isKnownScheme("x509", x509)).toBe(true);
    expect(isKnownScheme("x509", {})).toBe(false);
    for (const id of [alice, "", "CN=a+OU=b", "1.2.840.113549.1.9.1=#1611616c696365", "cn = a ; o=b", 'CN="a, b"']) {
      expect(isValidAclId({ scheme: "x509", id }, x509), id).toBe(true);
    }
    for (const id of ["alice", "CN", "XX=a", "CN=a,", "CN=a\\", "1.2.3=#abc", 'CN="a']) {
      expect(isValidAclId({ scheme: "x509", id }, x509), id).toBe(false);
    }
  });

  it("matches the exact DN, and the super user's DN matches any x509 ACL", () => {
    const list = [acl(READ, "x509", alice)];
    expect(aclPermits(list, READ, [{ scheme: "x509", id: alice }], x509)).toBe(true);
    expect(aclPermits(list, READ, [{ scheme: "x509", id: "CN=alice" }], x509)).toBe(false);
    const admin = { x509: { superUser: "CN=admin" } };
    expect(aclPermits(list, READ, [{ scheme: "x509", id: "CN=admin" }], admin)).toBe(true);
    expect(aclPermits(list, WRITE, [{ scheme: "x509", id: "CN=admin" }], admin)).toBe(false);
  });

  it("counts as authenticated, so the auth scheme expands to it", () => {
    expect(isAuthenticatedScheme("x509")).toBe(true);
  });
});

describe("the sasl scheme (SASLAuthenticationProvider), when the provider is loaded", () => {
  const bob = [{ scheme: "sasl", id: "bob" }];

  it("matches the exact user, and a user named super matches every sasl ACL", () => {
    const list = [acl(READ, "sasl", "carol")];
    expect(aclPermits(list, READ, [{ scheme: "sasl", id: "carol" }], { sasl: true })).toBe(true);
    expect(aclPermits(list, READ, bob, { sasl: true })).toBe(false);
    expect(aclPermits(list, READ, [{ scheme: "sasl", id: "super" }], { sasl: true })).toBe(true);
  });

  it("with letAnySaslUserDoX, lets every SASL user through an ACL naming that id, and only that one", () => {
    const config = { sasl: true as const, saslAnyUserDoX: "anyone-sasl" };
    expect(aclPermits([acl(READ, "sasl", "anyone-sasl")], READ, bob, config)).toBe(true);
    expect(aclPermits([acl(READ, "sasl", "anyone-sasl")], WRITE, bob, config)).toBe(false);
    expect(aclPermits([acl(READ, "sasl", "carol")], READ, bob, config)).toBe(false);
    // Only SASL ids match a sasl ACL: a digest user of the same name does not.
    expect(aclPermits([acl(READ, "sasl", "anyone-sasl")], READ, [{ scheme: "digest", id: "bob:x" }], config)).toBe(false);
    // Without the provider the scheme grants nothing, whatever the property says.
    expect(aclPermits([acl(READ, "sasl", "anyone-sasl")], READ, bob, { saslAnyUserDoX: "anyone-sasl" })).toBe(false);
  });
});
