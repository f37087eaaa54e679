/**
 * The contract every Cairn front end programs against: {@link dev.cairn.api.Store}, its options,
 * its result types and its exceptions.
 *
 * <p>Start with {@link dev.cairn.api.Store}. Keys and values are byte strings; keys order by
 * unsigned lexicographic comparison ({@link dev.cairn.api.ByteStrings#compare}). Every error a
 * store raises on purpose is a {@link dev.cairn.api.CairnException} subclass that says what
 * happened. This package has no dependencies outside the JDK.
 */
package dev.cairn.api;
