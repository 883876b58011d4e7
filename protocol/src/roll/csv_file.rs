//! Reading the two CSV files of this module (roll, change list) the same way: a fixed
//! header, then rows with exactly the header's number of columns, cells trimmed.

use csv::{ReaderBuilder, StringRecord, Trim};

use super::error::{RollError, RollErrorCode as Code};

/// Reads `bytes` as CSV whose first line must be one of `headers`. Calls `row` with each
/// data row's line number and cells; rows with the wrong column count and unreadable
/// rows go to `errors`. Returns the number of data lines (good or bad), or `None` (with an error pushed)
/// if the file is empty or its header is wrong.
pub(crate) fn read_csv(
    what: &str,
    bytes: &[u8],
    headers: &[&[&str]],
    errors: &mut Vec<RollError>,
    mut row: impl FnMut(u64, &StringRecord),
) -> Option<usize> {
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(Trim::All)
        .from_reader(bytes);
    let mut records = reader.records();
    let expected = headers
        .iter()
        .map(|h| h.join(","))
        .collect::<Vec<_>>()
        .join("` or `");
    let header = match records.next() {
        None => {
            errors.push(RollError::file(
                Code::Empty,
                format!("the {what} is empty; its first line must be `{expected}`"),
            ));
            return None;
        }
        Some(Err(e)) => {
            errors.push(csv_error(what, &e));
            return None;
        }
        Some(Ok(h)) => h,
    };
    let columns = header.len();
    if !headers.iter().any(|h| header.iter().eq(h.iter().copied())) {
        let found = header.iter().collect::<Vec<_>>().join(",");
        errors.push(RollError::at(
            Code::BadHeader,
            line_of(&header),
            format!("the {what}'s first line is `{found}`; it must be `{expected}`"),
        ));
        return None;
    }
    let mut count = 0;
    for record in records {
        count += 1;
        match record {
            Err(e) => errors.push(csv_error(what, &e)),
            Ok(r) if r.len() != columns => errors.push(RollError::at(
                Code::ColumnCount,
                line_of(&r),
                format!("{} columns, but the header has {columns}", r.len()),
            )),
            Ok(r) => row(line_of(&r), &r),
        }
    }
    Some(count)
}

fn line_of(r: &StringRecord) -> u64 {
    r.position().map_or(0, |p| p.line())
}

fn csv_error(what: &str, e: &csv::Error) -> RollError {
    let message = format!("the {what} cannot be read as UTF-8 CSV: {e}");
    match e.position() {
        Some(p) => RollError::at(Code::BadCsv, p.line(), message),
        None => RollError::file(Code::BadCsv, message),
    }
}
