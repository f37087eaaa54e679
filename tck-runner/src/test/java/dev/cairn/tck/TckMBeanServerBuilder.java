package dev.cairn.tck;

import javax.management.MBeanServer;
import javax.management.MBeanServerBuilder;
import javax.management.MBeanServerDelegate;

/**
 * Builds the platform MBeanServer with the id the TCK looks for (the system property
 * {@code org.jsr107.tck.management.agentId}), so that the TCK finds the MBeans Cairn registers on
 * the platform server. Test scope only: Cairn itself uses the ordinary platform MBeanServer.
 */
public final class TckMBeanServerBuilder extends MBeanServerBuilder {
    @Override
    public MBeanServer newMBeanServer(String defaultDomain, MBeanServer outer, MBeanServerDelegate delegate) {
        return super.newMBeanServer(defaultDomain, outer, new IdDelegate(delegate));
    }

    private static final class IdDelegate extends MBeanServerDelegate {
        private final MBeanServerDelegate delegate;

        IdDelegate(MBeanServerDelegate delegate) {
            this.delegate = delegate;
        }

        @Override
        public String getMBeanServerId() {
            return System.getProperty("org.jsr107.tck.management.agentId");
        }

        @Override
        public String getSpecificationName() {
            return delegate.getSpecificationName();
        }

        @Override
        public String getSpecificationVersion() {
            return delegate.getSpecificationVersion();
        }

        @Override
        public String getSpecificationVendor() {
            return delegate.getSpecificationVendor();
        }

        @Override
        public String getImplementationName() {
            return delegate.getImplementationName();
        }

        @Override
        public String getImplementationVersion() {
            return delegate.getImplementationVersion();
        }

        @Override
        public String getImplementationVendor() {
            return delegate.getImplementationVendor();
        }
    }
}
