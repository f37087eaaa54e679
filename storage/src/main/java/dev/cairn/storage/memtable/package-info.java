/** The in-memory, sorted, concurrent write buffer that sits in front of the SSTables. */
package dev.cairn.storage.memtable;
