/**
 * The Redis commands: {@link dev.cairn.server.command.Commands} is the table (name, arity,
 * whether it writes) and the dispatcher; the commands themselves are grouped by what they touch:
 * {@link dev.cairn.server.command.StringCommands}, {@link dev.cairn.server.command.KeyCommands},
 * {@link dev.cairn.server.command.ConnectionCommands}. Read-modify-write commands (SET with
 * options, APPEND, GETDEL, ...) are compare-and-set loops on the entry's version, so they are
 * atomic without a server-wide lock.
 */
package dev.cairn.server.command;
