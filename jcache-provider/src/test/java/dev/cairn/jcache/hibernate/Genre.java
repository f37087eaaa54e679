package dev.cairn.jcache.hibernate;

/** An enum attribute: Hibernate caches the constant itself in the entity's disassembled state. */
public enum Genre {
    NOVEL, SHORT_STORIES, ESSAYS
}
