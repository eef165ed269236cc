import { JuteError } from "./errors.js";
import { JuteReader } from "./reader.js";
import { ConnectRequest, ConnectResponse } from "./records.js";
import type { JuteWriter } from "./writer.js";

/**
 * The session handshake. Since 3.5 clients append a readOnly byte after the jute record; old
 * clients omit it, and the server echoes the byte back only to clients that sent it.
 */
export interface Handshake extends ConnectRequest {
  readOnly: boolean;
  /** Whether the client sent the trailing readOnly byte (and so expects one back). */
  readOnlyByteSent: boolean;
}

export function readConnectRequest(payload: Buffer, maxBuffer?: number): Handshake {
  const reader = new JuteReader(payload, 0, payload.length, maxBuffer);
  const request = ConnectRequest.read(reader);
  let readOnly = false;
  let readOnlyByteSent = false;
  if (reader.remaining >= 1) {
    readOnly = reader.readBool();
    readOnlyByteSent = true;
  }
  if (reader.remaining !== 0) throw new JuteError(`${reader.remaining} trailing bytes after ConnectRequest`);
  return { ...request, readOnly, readOnlyByteSent };
}

export function writeConnectRequest(writer: JuteWriter, request: ConnectRequest, readOnly: boolean): void {
  ConnectRequest.write(writer, request);
  writer.writeBool(readOnly);
}

export interface HandshakeReply extends ConnectResponse {
  readOnly: boolean;
}

export function writeConnectResponse(writer: JuteWriter, reply: HandshakeReply, withReadOnlyByte: boolean): void {
  ConnectResponse.write(writer, reply);
  if (withReadOnlyByte) writer.writeBool(reply.readOnly);
}

export function readConnectResponse(payload: Buffer, maxBuffer?: number): HandshakeReply {
  const reader = new JuteReader(payload, 0, payload.length, maxBuffer);
  const response = ConnectResponse.read(reader);
  const readOnly = reader.remaining >= 1 ? reader.readBool() : false;
  return { ...response, readOnly };
}
