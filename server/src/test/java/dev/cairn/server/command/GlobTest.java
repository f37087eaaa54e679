package dev.cairn.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The iterative matcher against a plain recursive one (the obvious reading of Redis's rules) on
 * random short patterns and strings, where the recursion is cheap; seeded and printed.
 */
class GlobTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void examples() {
        assertTrue(Glob.matches(b("h?llo"), b("hello")));
        assertTrue(Glob.matches(b("h*llo"), b("heeeello")));
        assertTrue(Glob.matches(b("h[ae]llo"), b("hallo")));
        assertFalse(Glob.matches(b("h[^e]llo"), b("hello")));
        assertTrue(Glob.matches(b("h[a-b]llo"), b("hbllo")));
        assertTrue(Glob.matches(b("h[b-a]llo"), b("hallo")), "a reversed range is the same range");
        assertTrue(Glob.matches(b("a\\*b"), b("a*b")));
        assertFalse(Glob.matches(b("a\\*b"), b("axb")));
        assertTrue(Glob.matches(b("*"), b("")));
        assertFalse(Glob.matches(b("?"), b("")));
        assertTrue(Glob.matches(b("ab\\"), b("ab\\")), "a trailing backslash is itself");
    }

    @Test
    void agreesWithTheRecursiveDefinition() {
        long seed = System.nanoTime();
        System.out.println("GlobTest seed " + seed);
        Random r = new Random(seed);
        String patternAlphabet = "ab*?[]^-\\";
        for (int i = 0; i < 200_000; i++) {
            byte[] p = random(r, patternAlphabet, 8);
            byte[] s = random(r, "ab-]\\*", 8);
            assertEquals(reference(p, 0, s, 0), Glob.matches(p, s),
                    "seed " + seed + ": '" + new String(p, StandardCharsets.ISO_8859_1) + "' vs '"
                            + new String(s, StandardCharsets.ISO_8859_1) + "'");
        }
    }

    private static byte[] random(Random r, String alphabet, int maxLength) {
        byte[] out = new byte[r.nextInt(maxLength + 1)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return out;
    }

    /** Exponential in the worst case; fine for 8 bytes. */
    private static boolean reference(byte[] p, int pi, byte[] s, int si) {
        if (pi == p.length) {
            return si == s.length;
        }
        if (p[pi] == '*') {
            for (int k = si; k <= s.length; k++) {
                if (reference(p, pi + 1, s, k)) {
                    return true;
                }
            }
            return false;
        }
        if (si == s.length) {
            return false;
        }
        byte c = s[si];
        switch (p[pi]) {
            case '?':
                return reference(p, pi + 1, s, si + 1);
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
                        found |= (c & 0xFF) >= lo && (c & 0xFF) <= hi;
                        i += 3;
                    } else {
                        found |= p[i] == c;
                        i++;
                    }
                }
                return found != not && reference(p, Math.min(i + 1, p.length), s, si + 1);
            }
            case '\\':
                if (pi + 1 < p.length) {
                    return p[pi + 1] == c && reference(p, pi + 2, s, si + 1);
                }
                return c == '\\' && reference(p, pi + 1, s, si + 1);
            default:
                return p[pi] == c && reference(p, pi + 1, s, si + 1);
        }
    }
}
