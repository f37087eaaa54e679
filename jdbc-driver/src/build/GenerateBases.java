import java.lang.reflect.*;
import java.util.*;

/** Writes the Unsupported-star and Default-star base classes: java GenerateBases.java java.sql.ResultSet UnsupportedResultSet [defaults] */
public class GenerateBases {
    static String type(Type t) {
        if (t instanceof Class<?> c) {
            if (c.isArray()) return type(c.getComponentType()) + "[]";
            return c.getName().replace('$', '.');
        }
        if (t instanceof ParameterizedType p) {
            StringBuilder sb = new StringBuilder(type(p.getRawType())).append('<');
            Type[] a = p.getActualTypeArguments();
            for (int i = 0; i < a.length; i++) { if (i > 0) sb.append(", "); sb.append(type(a[i])); }
            return sb.append('>').toString();
        }
        if (t instanceof WildcardType w) {
            if (w.getLowerBounds().length > 0) return "? super " + type(w.getLowerBounds()[0]);
            if (w.getUpperBounds().length > 0 && w.getUpperBounds()[0] != Object.class) return "? extends " + type(w.getUpperBounds()[0]);
            return "?";
        }
        if (t instanceof TypeVariable<?> v) return v.getName();
        if (t instanceof GenericArrayType g) return type(g.getGenericComponentType()) + "[]";
        return t.getTypeName();
    }

    public static void main(String[] args) throws Exception {
        Class<?> iface = Class.forName(args[0]);
        String cls = args[1];
        String mode = args.length > 2 ? args[2] : "throw";
        String simple = iface.getSimpleName();
        Map<String, Method> methods = new TreeMap<>();
        for (Method m : iface.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault()) continue;
            String key = m.getName() + Arrays.toString(m.getParameterTypes());
            methods.putIfAbsent(key, m);
        }
        StringBuilder out = new StringBuilder();
        out.append("package dev.cairn.jdbc;\n\n");
        out.append("/**\n * Generated from {@link ").append(iface.getName()).append("}: every method ");
        out.append(mode.equals("throw") ? "throws {@link java.sql.SQLFeatureNotSupportedException} naming itself.\n * Subclasses override what Cairn supports; what they leave is what is not supported.\n */\n"
                : "answers the conservative default (false, 0, null). Subclasses override the answers Cairn gives.\n */\n");
        out.append("abstract class ").append(cls).append(" implements ").append(iface.getName()).append(" {\n");
        for (Method m : methods.values()) {
            StringBuilder sig = new StringBuilder("    @Override\n    public ");
            TypeVariable<Method>[] tv = m.getTypeParameters();
            if (tv.length > 0) {
                sig.append('<');
                for (int i = 0; i < tv.length; i++) { if (i > 0) sig.append(", "); sig.append(tv[i].getName()); }
                sig.append("> ");
            }
            sig.append(type(m.getGenericReturnType())).append(' ').append(m.getName()).append('(');
            Type[] ps = m.getGenericParameterTypes();
            for (int i = 0; i < ps.length; i++) {
                if (i > 0) sig.append(", ");
                String pt = type(ps[i]);
                if (m.isVarArgs() && i == ps.length - 1) pt = pt.substring(0, pt.length() - 2) + "...";
                sig.append(pt).append(" a").append(i);
            }
            sig.append(')');
            Class<?>[] ex = m.getExceptionTypes();
            if (ex.length > 0) {
                sig.append(" throws ");
                for (int i = 0; i < ex.length; i++) { if (i > 0) sig.append(", "); sig.append(ex[i].getName()); }
            }
            sig.append(" {\n");
            Class<?> r = m.getReturnType();
            boolean throwsSql = Arrays.asList(m.getExceptionTypes()).contains(java.sql.SQLException.class);
            boolean throwsClientInfo = Arrays.asList(m.getExceptionTypes()).contains(java.sql.SQLClientInfoException.class);
            if (m.getName().equals("unwrap")) {
                sig.append("        if (a0.isInstance(this)) {\n            return a0.cast(this);\n        }\n")
                   .append("        throw new java.sql.SQLException(\"not a wrapper for \" + a0.getName());\n");
            } else if (m.getName().equals("isWrapperFor")) {
                sig.append("        return a0.isInstance(this);\n");
            } else if (mode.equals("throw") && throwsClientInfo) {
                sig.append("        throw new java.sql.SQLClientInfoException(\"").append(simple).append('.').append(m.getName())
                   .append(" is not supported by Cairn\", null);\n");
            } else if (mode.equals("throw") && throwsSql) {
                sig.append("        throw new java.sql.SQLFeatureNotSupportedException(\"").append(simple).append('.').append(m.getName())
                   .append(" is not supported by Cairn\");\n");
            } else if (r == void.class) {
                sig.append("        // nothing to do\n");
            } else if (r == boolean.class) {
                sig.append("        return false;\n");
            } else if (r.isPrimitive()) {
                sig.append("        return 0;\n");
            } else {
                sig.append("        return null;\n");
            }
            sig.append("    }\n\n");
            out.append(sig);
        }
        out.setLength(out.length() - 1);
        out.append("}\n");
        System.out.print(out);
    }
}
