/** A SASL exchange that cannot go on: bad credentials, a malformed or unexpected message. */
export class SaslError extends Error {
  override readonly name = "SaslError";
}
