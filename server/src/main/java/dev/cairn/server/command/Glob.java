package dev.cairn.server.command;

/**
 * Redis glob patterns for SCAN MATCH and KEYS: {@code *}, {@code ?}, {@code [abc]},
 * {@code [^a-z]}, and {@code \} to escape.
 */
final class Glob {
    private Glob() {
    }

    static boolean matches(byte[] p, byte[] s) {
        return match(p, 0, s, 0);
    }

    private static boolean match(byte[] p, int pi, byte[] s, int si) {
        while (pi < p.length) {
            byte c = p[pi];
            switch (c) {
                case '*':
                    while (pi + 1 < p.length && p[pi + 1] == '*') {
                        pi++;
                    }
                    if (pi + 1 == p.length) {
                        return true;
                    }
                    for (int k = si; k <= s.length; k++) {
                        if (match(p, pi + 1, s, k)) {
                            return true;
                        }
                    }
                    return false;
                case '?':
                    if (si >= s.length) {
                        return false;
                    }
                    si++;
                    pi++;
                    break;
                case '[': {
                    if (si >= s.length) {
                        return false;
                    }
                    int i = pi + 1;
                    boolean not = i < p.length && p[i] == '^';
                    if (not) {
                        i++;
                    }
                    boolean found = false;
                    while (i < p.length && p[i] != ']') {
                        if (p[i] == '\\' && i + 1 < p.length) {
                            found |= p[i + 1] == s[si];
                            i += 2;
                        } else if (i + 2 < p.length && p[i + 1] == '-' && p[i + 2] != ']') {
                            int lo = Math.min(p[i] & 0xFF, p[i + 2] & 0xFF);
                            int hi = Math.max(p[i] & 0xFF, p[i + 2] & 0xFF);
                            int ch = s[si] & 0xFF;
                            found |= ch >= lo && ch <= hi;
                            i += 3;
                        } else {
                            found |= p[i] == s[si];
                            i++;
                        }
                    }
                    if (found == not) {
                        return false;
                    }
                    pi = Math.min(i + 1, p.length);
                    si++;
                    break;
                }
                case '\\':
                    if (pi + 1 < p.length) {
                        pi++;
                        c = p[pi];
                    }
                    // fall through to a literal match
                default:
                    if (si >= s.length || s[si] != c) {
                        return false;
                    }
                    si++;
                    pi++;
            }
        }
        return si == s.length;
    }

    /** The literal prefix before the first special character, to narrow a scan. */
    static byte[] literalPrefix(byte[] p) {
        int i = 0;
        while (i < p.length && p[i] != '*' && p[i] != '?' && p[i] != '[' && p[i] != '\\') {
            i++;
        }
        return java.util.Arrays.copyOf(p, i);
    }
}
