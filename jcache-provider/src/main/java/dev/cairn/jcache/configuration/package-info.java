/**
 * Configuration: {@link dev.cairn.jcache.configuration.CairnConfiguration} (a
 * {@code MutableConfiguration} with Cairn's options) and
 * {@link dev.cairn.jcache.configuration.ManagerSettings}, the configuration file a cache manager
 * URI can name.
 */
package dev.cairn.jcache.configuration;
