/**
 * The Redis serialization protocol, version 2: {@link dev.cairn.server.resp.RespDecoder} turns
 * bytes into commands (arrays of bulk strings, or inline commands) under configured size limits;
 * {@link dev.cairn.server.resp.Reply} writes the replies.
 */
package dev.cairn.server.resp;
