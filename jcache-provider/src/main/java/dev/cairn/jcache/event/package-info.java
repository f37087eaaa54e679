/**
 * Entry listeners. {@link dev.cairn.jcache.event.EventDispatcher} says how events stay ordered:
 * synchronous listeners run in the writing thread while it still holds the key's lock; each
 * asynchronous listener has its own serial queue, so it never runs in parallel with itself and
 * sees the events of one entry in the order they happened.
 */
package dev.cairn.jcache.event;
