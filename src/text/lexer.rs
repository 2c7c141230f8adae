//! Splits zone text into entries (one record or directive, which parentheses may spread
//! over several lines) and tokens, each with its line and column (RFC 1035 §5.1).
//!
//! Tokens borrow the input and keep their escapes; the parser decodes them where the
//! field's type says how (names, strings and numbers escape differently).

use crate::error::{ParseErrorKind, Position};

/// One token: its raw bytes (without surrounding quotes), whether it was quoted, and where
/// it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) raw: &'a [u8],
    pub(crate) quoted: bool,
    pub(crate) position: Position,
}

/// Reads entries from zone text.
pub(crate) struct Lexer<'a> {
    input: &'a [u8],
    at: usize,
    line: u32,
    line_start: usize,
    max_line: usize,
}

/// An error with the place it happened, before the parser adds the file name.
pub(crate) type LexError = (Position, ParseErrorKind);

impl<'a> Lexer<'a> {
    pub(crate) fn new(input: &'a str, max_line: usize) -> Self {
        Self {
            input: input.as_bytes(),
            at: 0,
            line: 1,
            line_start: 0,
            max_line,
        }
    }

    fn position(&self, at: usize) -> Position {
        Position {
            line: self.line,
            column: u32::try_from(at.saturating_sub(self.line_start) + 1).unwrap_or(u32::MAX),
        }
    }

    /// Moves past a newline at `self.at`, checking the length of the line it ends.
    fn newline(&mut self) -> Result<(), LexError> {
        if self.at - self.line_start > self.max_line {
            return Err((
                self.position(self.line_start),
                ParseErrorKind::LineTooLong {
                    limit: self.max_line,
                },
            ));
        }
        self.at += 1;
        self.line += 1;
        self.line_start = self.at;
        Ok(())
    }

    /// Reads the next entry's tokens into `tokens` (cleared first). Returns `None` at the
    /// end of the input, else whether the entry began with white space (a blank owner).
    pub(crate) fn next_entry(
        &mut self,
        tokens: &mut Vec<Token<'a>>,
    ) -> Result<Option<bool>, LexError> {
        tokens.clear();
        let mut depth = 0u32;
        let mut open = self.position(self.at);
        let mut blank_owner = false;
        loop {
            let Some(&byte) = self.input.get(self.at) else {
                return self.end_of_input(depth, open, tokens, blank_owner);
            };
            match byte {
                b' ' | b'\t' | b'\r' => {
                    if self.at == self.line_start && tokens.is_empty() && depth == 0 {
                        blank_owner = true;
                    }
                    self.at += 1;
                }
                b'\n' => {
                    self.newline()?;
                    if depth == 0 {
                        if !tokens.is_empty() {
                            return Ok(Some(blank_owner));
                        }
                        blank_owner = false;
                    }
                }
                b';' => {
                    let rest = self.input.get(self.at..).unwrap_or_default();
                    self.at += rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
                }
                b'(' => {
                    if depth == 0 {
                        open = self.position(self.at);
                    }
                    depth += 1;
                    self.at += 1;
                }
                b')' => {
                    if depth == 0 {
                        return Err((
                            self.position(self.at),
                            ParseErrorKind::UnbalancedParenthesis {
                                detail: "`)` without `(`",
                            },
                        ));
                    }
                    depth -= 1;
                    self.at += 1;
                }
                b'"' => tokens.push(self.quoted()?),
                _ => tokens.push(self.word()?),
            }
        }
    }

    /// The end of the input: the last entry, or `None` if there is none; an error for a
    /// last line that is too long or a `(` never closed (opened at `open`).
    fn end_of_input(
        &self,
        depth: u32,
        open: Position,
        tokens: &[Token<'a>],
        blank_owner: bool,
    ) -> Result<Option<bool>, LexError> {
        if self.at - self.line_start > self.max_line {
            return Err((
                self.position(self.line_start),
                ParseErrorKind::LineTooLong {
                    limit: self.max_line,
                },
            ));
        }
        if depth > 0 {
            return Err((
                open,
                ParseErrorKind::UnbalancedParenthesis {
                    detail: "`(` is never closed",
                },
            ));
        }
        Ok((!tokens.is_empty()).then_some(blank_owner))
    }

    /// A quoted string at `self.at` (its raw bytes are those between the quotes).
    fn quoted(&mut self) -> Result<Token<'a>, LexError> {
        let position = self.position(self.at);
        let start = self.at + 1;
        let end = closing_quote(self.input, start, position)?;
        let raw = self.input.get(start..end).unwrap_or_default();
        // (An escaped newline does not continue a string onto the next line.)
        if raw.contains(&b'\n') {
            return Err((position, ParseErrorKind::UnterminatedQuote));
        }
        self.at = end + 1;
        Ok(Token {
            raw,
            quoted: true,
            position,
        })
    }

    /// A word at `self.at`: up to white space, a comment, a parenthesis or a quote, with
    /// `\X` escapes kept; a `key="value"` (SVCB parameters) keeps its quoted value.
    fn word(&mut self) -> Result<Token<'a>, LexError> {
        let input = self.input;
        let position = self.position(self.at);
        let start = self.at;
        let mut end = start;
        while let Some(&b) = input.get(end) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' => break,
                b'\\' => {
                    end += if input.get(end + 1).is_some_and(|&n| n != b'\n') {
                        2
                    } else {
                        1
                    }
                }
                b'"' if end > start && input.get(end - 1) == Some(&b'=') => {
                    end = closing_quote(input, end + 1, position)? + 1;
                }
                b'"' => break,
                _ => end += 1,
            }
        }
        let end = end.min(input.len());
        self.at = end;
        Ok(Token {
            raw: input.get(start..end).unwrap_or_default(),
            quoted: false,
            position,
        })
    }
}

/// Where the quote that closes a quoted string starting at `from` is (escapes skipped);
/// an error (at `position`, the opening quote) if the line or the input ends first.
fn closing_quote(input: &[u8], from: usize, position: Position) -> Result<usize, LexError> {
    let mut end = from;
    loop {
        match input.get(end) {
            Some(b'"') => return Ok(end),
            Some(b'\\') => end += 2,
            Some(b'\n') | None => return Err((position, ParseErrorKind::UnterminatedQuote)),
            Some(_) => end += 1,
        }
    }
}

/// Decodes the `\X` and `\DDD` escapes of a token into `out` (appended).
///
/// # Errors
///
/// An escape with fewer than three digits, or `\DDD` above 255, or a trailing backslash.
pub(crate) fn unescape(raw: &[u8], out: &mut Vec<u8>) -> Result<(), ParseErrorKind> {
    let mut at = 0;
    while let Some(&byte) = raw.get(at) {
        if byte != b'\\' {
            out.push(byte);
            at += 1;
            continue;
        }
        let (value, used) = escape_at(raw, at)?;
        out.push(value);
        at += used;
    }
    Ok(())
}

/// Reads the escape starting at `raw[at]` (a backslash): its value and length.
pub(crate) fn escape_at(raw: &[u8], at: usize) -> Result<(u8, usize), ParseErrorKind> {
    let bad = || ParseErrorKind::BadEscape {
        found: crate::error::quote(raw.get(at..(at + 4).min(raw.len())).unwrap_or_default()),
    };
    match raw.get(at + 1) {
        None => Err(bad()),
        Some(d) if d.is_ascii_digit() => {
            let digits = raw.get(at + 1..at + 4).ok_or_else(bad)?;
            if !digits.iter().all(u8::is_ascii_digit) {
                return Err(bad());
            }
            let value = digits
                .iter()
                .fold(0u32, |v, d| v * 10 + u32::from(d - b'0'));
            Ok((u8::try_from(value).map_err(|_| bad())?, 4))
        }
        Some(&c) => Ok((c, 2)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Entry = (bool, Vec<(String, bool, u32, u32)>);

    fn entries(text: &str) -> Vec<Entry> {
        let mut lexer = Lexer::new(text, 1000);
        let mut tokens = Vec::new();
        let mut out = Vec::new();
        while let Some(blank) = lexer.next_entry(&mut tokens).unwrap() {
            out.push((
                blank,
                tokens
                    .iter()
                    .map(|t| {
                        (
                            String::from_utf8_lossy(t.raw).into_owned(),
                            t.quoted,
                            t.position.line,
                            t.position.column,
                        )
                    })
                    .collect(),
            ));
        }
        out
    }

    #[test]
    fn parentheses_join_lines_and_comments_vanish() {
        let got = entries("@ IN SOA a b ( ; c\n  1 2 ; x\n 3 4 5 )\n\n  www A 1.2.3.4 ; end\n");
        assert_eq!(got.len(), 2);
        assert!(!got[0].0);
        assert_eq!(got[0].1.len(), 10);
        assert_eq!(got[0].1[5], ("1".into(), false, 2, 3));
        assert!(got[1].0);
        assert_eq!(got[1].1[0], ("www".into(), false, 5, 3));
    }

    #[test]
    fn quotes_keep_spaces_semicolons_and_escapes() {
        let got = entries("a TXT \"x ; y\" \"q\\\"\" k=\"a b\"\n");
        assert_eq!(got[0].1[2], ("x ; y".into(), true, 1, 7));
        assert_eq!(got[0].1[3].0, "q\\\"");
        assert_eq!(got[0].1[4].0, "k=\"a b\"");
    }

    #[test]
    fn errors_name_their_place() {
        let mut tokens = Vec::new();
        let err = Lexer::new("a TXT (\n x\n", 100)
            .next_entry(&mut tokens)
            .unwrap_err();
        assert_eq!(err.0, Position { line: 1, column: 7 });
        let err = Lexer::new("a TXT \"abc\n", 100)
            .next_entry(&mut tokens)
            .unwrap_err();
        assert_eq!(
            err,
            (
                Position { line: 1, column: 7 },
                ParseErrorKind::UnterminatedQuote
            )
        );
        let err = Lexer::new("a )\n", 100)
            .next_entry(&mut tokens)
            .unwrap_err();
        assert_eq!(err.0, Position { line: 1, column: 3 });
        let err = Lexer::new("a b c\n", 3)
            .next_entry(&mut tokens)
            .unwrap_err();
        assert_eq!(err.1, ParseErrorKind::LineTooLong { limit: 3 });
    }

    #[test]
    fn unescape_reads_both_escape_forms() {
        let mut out = Vec::new();
        unescape(br"a\.b\032c\\", &mut out).unwrap();
        assert_eq!(out, b"a.b c\\");
        assert!(unescape(br"\256", &mut Vec::new()).is_err());
        assert!(unescape(br"\12", &mut Vec::new()).is_err());
        assert!(unescape(b"\\", &mut Vec::new()).is_err());
    }
}
