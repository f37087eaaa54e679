/**
 * JMX: the configuration and statistics MXBeans of each cache, registered on the platform
 * MBeanServer under {@code javax.cache:type=CacheConfiguration|CacheStatistics,CacheManager=…,Cache=…}.
 */
package dev.cairn.jcache.management;
