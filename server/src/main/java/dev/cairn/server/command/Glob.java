package dev.cairn.server.command;

/**
 * Redis glob patterns for SCAN MATCH, KEYS and CONFIG GET: {@code *}, {@code ?}, {@code [abc]},
 * {@code [^a-z]}, and {@code \} to escape.
 *
 * <p>Matching is iterative and takes at most (pattern length × key length) steps: every token but
 * {@code *} matches exactly one byte, so when a later token fails the only choice left to revisit
 * is how much the last {@code *} swallowed; earlier stars never need revisiting. No recursion, so
 * no pattern can overflow the stack, and {@code a*a*a*…b} costs what its length says.
 */
final class Glob {
    private Glob() {
    }

    static boolean matches(byte[] p, byte[] s) {
        int pi = 0;
        int si = 0;
        int starP = -1; // the pattern position just after the last '*' seen
        int starS = 0; // where in s that star's match currently ends
        while (si < s.length) {
            if (pi < p.length && p[pi] == '*') {
                while (pi < p.length && p[pi] == '*') {
                    pi++;
                }
                if (pi == p.length) {
                    return true;
                }
                starP = pi;
                starS = si;
                continue;
            }
            int next = pi < p.length ? matchOne(p, pi, s[si]) : -1;
            if (next >= 0) {
                pi = next;
                si++;
            } else if (starP >= 0) {
                pi = starP;
                si = ++starS; // let the last star swallow one more byte
            } else {
                return false;
            }
        }
        while (pi < p.length && p[pi] == '*') {
            pi++;
        }
        return pi == p.length;
    }

    /** If the token at {@code pi} (not a star) matches {@code c}, the position after it; else -1. */
    private static int matchOne(byte[] p, int pi, byte c) {
        switch (p[pi]) {
            case '?':
                return pi + 1;
            case '[': {
                int i = pi + 1;
                boolean not = i < p.length && p[i] == '^';
                if (not) {
                    i++;
                }
                boolean found = false;
                while (i < p.length && p[i] != ']') {
                    if (p[i] == '\\' && i + 1 < p.length) {
                        found |= p[i + 1] == c;
                        i += 2;
                    } else if (i + 2 < p.length && p[i + 1] == '-' && p[i + 2] != ']') {
                        int lo = Math.min(p[i] & 0xFF, p[i + 2] & 0xFF);
                        int hi = Math.max(p[i] & 0xFF, p[i + 2] & 0xFF);
                        int ch = c & 0xFF;
                        found |= ch >= lo && ch <= hi;
                        i += 3;
                    } else {
                        found |= p[i] == c;
                        i++;
                    }
                }
                return found == not ? -1 : Math.min(i + 1, p.length);
            }
            case '\\':
                if (pi + 1 < p.length) {
                    return p[pi + 1] == c ? pi + 2 : -1;
                }
                return c == '\\' ? pi + 1 : -1;
            default:
                return p[pi] == c ? pi + 1 : -1;
        }
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
