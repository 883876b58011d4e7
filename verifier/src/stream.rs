//! Reading a big record file on one thread while the others check what it has read.

use std::sync::mpsc::sync_channel;

/// Reads `items` on a thread of its own, in chunks of `chunk` items, and hands each chunk to
/// `each` on this thread, at most two chunks ahead: decoding the next chunk overlaps the
/// checks of this one, and memory stays bounded whatever the file's size. Stops at the first
/// error and returns it, after `each` has seen every chunk read before it.
pub fn in_chunks<T: Send, E: Send>(
    items: impl Iterator<Item = Result<T, E>> + Send,
    chunk: usize,
    mut each: impl FnMut(Vec<T>),
) -> Result<(), E> {
    std::thread::scope(|scope| {
        let (send, receive) = sync_channel::<Result<Vec<T>, E>>(2);
        scope.spawn(move || {
            let mut buffer = Vec::with_capacity(chunk);
            for item in items {
                match item {
                    Ok(x) => buffer.push(x),
                    Err(e) => {
                        let _ = send.send(Err(e));
                        return;
                    }
                }
                if buffer.len() == chunk {
                    let full = std::mem::replace(&mut buffer, Vec::with_capacity(chunk));
                    if send.send(Ok(full)).is_err() {
                        return;
                    }
                }
            }
            if !buffer.is_empty() {
                let _ = send.send(Ok(buffer));
            }
        });
        for message in receive {
            each(message?);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_arrives_in_order_in_chunks_then_the_error() {
        let items = (0..10).map(Ok::<u32, &str>);
        let mut seen = Vec::new();
        in_chunks(items, 4, |c| seen.push(c)).unwrap();
        assert_eq!(seen, vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]);

        let items = (0..10).map(|i| if i == 6 { Err("bad") } else { Ok(i) });
        let mut seen = Vec::new();
        assert_eq!(in_chunks(items, 4, |c| seen.push(c)), Err("bad"));
        assert_eq!(
            seen,
            vec![vec![0, 1, 2, 3]],
            "the partial chunk before the error is dropped"
        );
    }
}
