package run.ats.verifier.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Finds the files a script loads, in one pass over its text and without backtracking: the text
 * comes from the origin being checked, so a hostile origin must not be able to make the scan slow
 * (the regular expressions this replaces took hours on 20 KB of {@code import} and spaces).
 *
 * <p>The text is cut into tokens (words, quoted runs, single punctuation characters; whitespace
 * separates and is dropped), and each reference form is a small automaton fed every token. Every
 * character is read a few times at most (a quoted run that does not close is read again as other
 * tokens; such a run holds no quote of its kind, so no character is read by two of them), and each
 * automaton does constant work per token, so the scan is linear in the text's length.
 *
 * <p>Like the expressions it replaces, it does not parse JavaScript: a reference in a comment or a
 * string is found too. That errs towards fetching more, which is harmless (a file that does not
 * exist is not counted; one that does is compared with the release). The forms found:
 * <ul>
 *   <li>resolved against the script: {@code new URL("x", import.meta.url)}, {@code importScripts("x")},
 *       {@code import("./x")}, {@code import "./x"}, {@code import ... from "./x"},
 *       {@code export ... from "./x"} (module paths start with {@code /}, {@code ./} or {@code ../});</li>
 *   <li>resolved against the document: {@code new Worker("x")}, {@code new SharedWorker("x")},
 *       {@code serviceWorker.register("x")}.</li>
 * </ul>
 * A quoted target is one or more characters, none of them a quote or whitespace. One difference from
 * the expressions, on purpose: a quote that closes a string does not also open the next one (as in
 * JavaScript), so in {@code "import"./a.js"} there is no reference; everything else they found, this finds
 * (ScriptScannerTest compares the two).
 */
final class ScriptScanner {

    /** A target found: its text as written and whether it resolves against the script or the document. */
    record Found(String target, boolean scriptRelative) {
    }

    /** What a scan found, in the order of the forms above, and the characters it read to find them. */
    record Scan(List<Found> found, long charactersRead) {
    }

    private ScriptScanner() {
    }

    static Scan scan(CharSequence code) {
        Tokens tokens = new Tokens(code);
        Form[] forms = {new NewUrl(), importScripts(), dynamicImport(), new StaticImport(), newWorker(), registerServiceWorker()};
        List<List<String>> byForm = new ArrayList<>();
        for (int i = 0; i < forms.length; i++) {
            byForm.add(new ArrayList<>());
        }
        for (Token token = tokens.next(); token != null; token = tokens.next()) {
            for (int i = 0; i < forms.length; i++) {
                String target = forms[i].accept(token);
                if (target != null) {
                    byForm.get(i).add(target);
                }
            }
        }
        List<Found> found = new ArrayList<>();
        for (int i = 0; i < forms.length; i++) {
            boolean scriptRelative = i < 4;
            byForm.get(i).forEach(target -> found.add(new Found(target, scriptRelative)));
        }
        return new Scan(List.copyOf(found), tokens.read);
    }

    // Tokens

    private enum Kind { WORD, QUOTED, PUNCT }

    /**
     * {@code text}: the word, the quoted run's content, or the punctuation character.
     * {@code quote}: the quoted run's quote character. {@code spaced}: whitespace came before it.
     */
    private record Token(Kind kind, String text, char quote, boolean spaced) {

        boolean word(String word) {
            return kind == Kind.WORD && text.equals(word);
        }

        boolean punct(char c) {
            return kind == Kind.PUNCT && text.charAt(0) == c;
        }

        /** A quoted run the generic forms take: any quote, no backtick inside. */
        String anyString() {
            return kind == Kind.QUOTED && text.indexOf('`') < 0 ? text : null;
        }

        /** A module path: in single or double quotes, {@code /}, {@code ./} or {@code ../} and at least one more character. */
        String modulePath() {
            if (kind != Kind.QUOTED || quote == '`') {
                return null;
            }
            int dots = 0;
            while (dots < 2 && dots < text.length() && text.charAt(dots) == '.') {
                dots++;
            }
            return text.length() > dots + 1 && text.charAt(dots) == '/' ? text : null;
        }
    }

    private static final class Tokens {

        private final CharSequence code;
        private int at;
        long read;

        Tokens(CharSequence code) {
            this.code = code;
        }

        private char charAt(int i) {
            read++;
            return code.charAt(i);
        }

        /** The next token, or null at the end. */
        Token next() {
            boolean spaced = false;
            while (at < code.length() && isSpace(charAt(at))) {
                at++;
                spaced = true;
            }
            if (at >= code.length()) {
                return null;
            }
            int start = at;
            char c = charAt(at);
            if (isWordChar(c)) {
                while (at < code.length() && isWordChar(charAt(at))) {
                    at++;
                }
                return new Token(Kind.WORD, code.subSequence(start, at).toString(), '\0', spaced);
            }
            if (c == '"' || c == '\'' || c == '`') {
                // A run of non-quote, non-space characters closed by the same quote; else the quote is punctuation
                // and what follows it is read again as tokens (it contains no quote, so this happens once per character).
                int end = start + 1;
                char stop = 0;
                while (end < code.length()) {
                    stop = charAt(end);
                    if (isSpace(stop) || (stop == '"' || stop == '\'') || (stop == '`' && c == '`')) {
                        break;
                    }
                    end++;
                }
                if (end < code.length() && stop == c && end > start + 1) {
                    at = end + 1;
                    return new Token(Kind.QUOTED, code.subSequence(start + 1, end).toString(), c, spaced);
                }
            }
            at++;
            return new Token(Kind.PUNCT, String.valueOf(c), '\0', spaced);
        }

        private static boolean isWordChar(char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }

        /** As {@code \s} in Java's regular expressions. */
        private static boolean isSpace(char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
        }
    }

    // Forms: each takes one token at a time and answers a target when the token completes it.

    private interface Form {
        String accept(Token token);
    }

    /** {@code new URL("x", import.meta.url)}: {@code new} ending a word, as the expression had no word boundary before it. */
    private static final class NewUrl implements Form {
        private int step;
        private String target;

        @Override
        public String accept(Token t) {
            step = switch (step) {
                case 1 -> t.word("URL") ? 2 : 0;
                case 2 -> t.punct('(') ? 3 : 0;
                case 3 -> (target = t.anyString()) != null ? 4 : 0;
                case 4 -> t.punct(',') ? 5 : 0;
                case 5 -> t.kind() == Kind.WORD && t.text().endsWith("import") ? 6 : 0;
                case 6 -> t.punct('.') && !t.spaced() ? 7 : 0;
                case 7 -> t.kind() == Kind.WORD && t.text().equals("meta") && !t.spaced() ? 8 : 0;
                case 8 -> t.punct('.') && !t.spaced() ? 9 : 0;
                case 9 -> t.kind() == Kind.WORD && t.text().startsWith("url") && !t.spaced() ? 10 : 0;
                default -> 0;
            };
            String found = null;
            if (step == 10) {
                step = 0;
                found = target;
            }
            // "import.meta.urlnew URL(...)": the word that ends one reference can start the next.
            if (step == 0 && t.kind() == Kind.WORD && t.text().endsWith("new")) {
                step = 1;
            }
            return found;
        }
    }

    /**
     * {@code import "./x"}, and {@code import} or {@code export} with a clause of words, {@code $ * { } ,}
     * then {@code from "./x"}. One clause at a time is enough: a clause started inside another one
     * ends where the outer one does.
     */
    private static final class StaticImport implements Form {
        private boolean inClause;
        private boolean afterKeyword;
        private boolean afterFrom;

        @Override
        public String accept(Token t) {
            String path = t.modulePath();
            if (path != null && (afterKeyword || afterFrom)) {
                reset();
                return path;
            }
            boolean keywordWord = t.kind() == Kind.WORD && (t.text().startsWith("import") || t.text().startsWith("export"));
            boolean clauseToken = t.kind() == Kind.WORD || (t.kind() == Kind.PUNCT && "$*{},".contains(t.text()));
            if (keywordWord) {
                afterKeyword = t.text().length() == 6;
                // "importXfrom": the rest of the word is a clause that may itself end in "from".
                afterFrom = (inClause && t.text().endsWith("from")) || (t.text().length() > 10 && t.text().endsWith("from"));
                inClause = true;
                return null;
            }
            if (inClause && clauseToken) {
                afterKeyword = false;
                afterFrom = t.kind() == Kind.WORD && t.text().endsWith("from");
                return null;
            }
            reset();
            return null;
        }

        private void reset() {
            inClause = false;
            afterKeyword = false;
            afterFrom = false;
        }
    }


    /** {@code importScripts("x")}; only the first argument, as before. */
    private static Form importScripts() {
        return new Call(t -> t.kind() == Kind.WORD && t.text().endsWith("importScripts"), List.of(t -> t.punct('(')), Token::anyString);
    }

    /** {@code import("./x")}. */
    private static Form dynamicImport() {
        return new Call(t -> t.word("import"), List.of(t -> t.punct('(')), Token::modulePath);
    }

    /** {@code new Worker("x")} and {@code new SharedWorker("x")}. */
    private static Form newWorker() {
        return new Call(t -> t.kind() == Kind.WORD && t.text().endsWith("new"),
                List.of(t -> t.word("Worker") || t.word("SharedWorker"), t -> t.punct('(')), Token::anyString);
    }

    /** {@code serviceWorker.register("x")}. */
    private static Form registerServiceWorker() {
        return new Call(t -> t.kind() == Kind.WORD && t.text().endsWith("serviceWorker"),
                List.of(t -> t.punct('.'), t -> t.word("register"), t -> t.punct('(')), Token::anyString);
    }

    /**
     * A call: a word that starts it, tokens each matching its step in turn, then the token whose
     * string is the target. A token that breaks the sequence, or ends it, may start it again
     * (words that end in the start word count, as the expressions had no word boundary there).
     */
    private static final class Call implements Form {
        private final Predicate<Token> start;
        private final List<Predicate<Token>> steps;
        private final Function<Token, String> target;
        /** 0: waiting for the start; 1..steps: the next step to match; steps + 1: the target is next. */
        private int step;

        Call(Predicate<Token> start, List<Predicate<Token>> steps, Function<Token, String> target) {
            this.start = start;
            this.steps = steps;
            this.target = target;
        }

        @Override
        public String accept(Token t) {
            String found = null;
            if (step > steps.size()) {
                found = target.apply(t);
                step = 0;
            } else if (step > 0) {
                step = steps.get(step - 1).test(t) ? step + 1 : 0;
            }
            if (found == null && step == 0 && start.test(t)) {
                step = 1;
            }
            return found;
        }
    }
}
