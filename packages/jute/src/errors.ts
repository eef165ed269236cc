/**
 * The one error type the codec throws. Anything a peer can put on the wire that the codec
 * cannot decode surfaces as a JuteError, never as a RangeError or TypeError, so a server can
 * catch it at the connection boundary and drop just that connection.
 */
export class JuteError extends Error {
  override readonly name = "JuteError";
  constructor(message: string) {
    super(message);
  }
}
