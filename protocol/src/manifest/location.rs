//! Turning byte offsets from the TOML parser into the line and column an official sees.

use std::ops::Range;

/// A 1-based line and column (in characters) in the manifest text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number in characters, starting at 1.
    pub column: usize,
}

/// The position of the start of `span` in `src`; `None` if the span lies outside it.
pub(crate) fn position(src: &str, span: &Range<usize>) -> Option<Position> {
    let before = src.get(..span.start)?;
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..)?.chars().count() + 1;
    Some(Position { line, column })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_characters() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(
            position(src, &(0..1)),
            Some(Position { line: 1, column: 1 })
        );
        // "bé = " is 5 characters but 6 bytes.
        assert_eq!(
            position(src, &(12..13)),
            Some(Position { line: 2, column: 6 })
        );
        assert_eq!(position(src, &(100..101)), None);
    }
}
