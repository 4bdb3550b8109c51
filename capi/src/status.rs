//! Status codes, their names, the last error message and the version.

use core::ffi::c_char;
use core::fmt::Write;
use std::cell::RefCell;

/// The result of every losskit call: `LK_OK` or one of the `LK_ERR_*` codes.
pub type lk_status = i32;

/// Success.
pub const LK_OK: lk_status = 0;
/// A required pointer was NULL.
pub const LK_ERR_NULL_POINTER: lk_status = 1;
/// Buffer lengths disagree (or a length is not a whole number of rows).
pub const LK_ERR_LENGTH_MISMATCH: lk_status = 2;
/// A parameter is outside its domain (e.g. delta <= 0, a negative or NaN weight).
pub const LK_ERR_BAD_PARAMETER: lk_status = 3;
/// An enum field (reduction, empty policy) holds an unknown value.
pub const LK_ERR_BAD_ENUM: lk_status = 4;
/// A mean over no elements under `LK_EMPTY_ERROR`.
pub const LK_ERR_EMPTY_MEAN: lk_status = 5;
/// A class index or offset is out of range.
pub const LK_ERR_INDEX_OUT_OF_RANGE: lk_status = 6;
/// A pointer is not aligned for its element type.
pub const LK_ERR_MISALIGNED: lk_status = 7;
/// An output buffer overlaps another buffer of the call.
pub const LK_ERR_ALIASING: lk_status = 8;
/// An internal error (a bug in losskit); the outputs are untouched.
pub const LK_ERR_PANIC: lk_status = 9;
/// The result is not finite where the function reports that (see its documentation).
pub const LK_ERR_NOT_FINITE: lk_status = 10;
/// A fixed-capacity container is full.
pub const LK_ERR_CAPACITY: lk_status = 11;
/// A name was given twice where names must be unique.
pub const LK_ERR_DUPLICATE_NAME: lk_status = 12;
/// No usable CUDA device: the driver library (libcuda) is missing or finds no GPU
/// (`lk_cuda_*` functions only).
pub const LK_ERR_NO_DEVICE: lk_status = 13;
/// A CUDA driver call failed (`lk_cuda_*` functions only); the message names the call and
/// its CUresult.
pub const LK_ERR_CUDA: lk_status = 14;

/// Major version of losskit (semantic versioning).
pub const LK_VERSION_MAJOR: u32 = 0;
/// Minor version of losskit.
pub const LK_VERSION_MINOR: u32 = 1;
/// Patch version of losskit.
pub const LK_VERSION_PATCH: u32 = 0;

const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library's version as a static NUL-terminated string, e.g. "0.1.0".
/// Compare with `LK_VERSION_MAJOR/MINOR/PATCH` to detect a header/library mismatch.
#[no_mangle]
pub extern "C" fn lk_version() -> *const c_char {
    VERSION.as_ptr().cast()
}

/// The name of a status code as a static NUL-terminated string ("LK_OK",
/// "LK_ERR_NULL_POINTER", ...; "LK_ERR_UNKNOWN" for a value that is no status).
#[no_mangle]
pub extern "C" fn lk_status_name(status: lk_status) -> *const c_char {
    let s: &'static str = match status {
        LK_OK => "LK_OK\0",
        LK_ERR_NULL_POINTER => "LK_ERR_NULL_POINTER\0",
        LK_ERR_LENGTH_MISMATCH => "LK_ERR_LENGTH_MISMATCH\0",
        LK_ERR_BAD_PARAMETER => "LK_ERR_BAD_PARAMETER\0",
        LK_ERR_BAD_ENUM => "LK_ERR_BAD_ENUM\0",
        LK_ERR_EMPTY_MEAN => "LK_ERR_EMPTY_MEAN\0",
        LK_ERR_INDEX_OUT_OF_RANGE => "LK_ERR_INDEX_OUT_OF_RANGE\0",
        LK_ERR_MISALIGNED => "LK_ERR_MISALIGNED\0",
        LK_ERR_ALIASING => "LK_ERR_ALIASING\0",
        LK_ERR_PANIC => "LK_ERR_PANIC\0",
        LK_ERR_NOT_FINITE => "LK_ERR_NOT_FINITE\0",
        LK_ERR_CAPACITY => "LK_ERR_CAPACITY\0",
        LK_ERR_DUPLICATE_NAME => "LK_ERR_DUPLICATE_NAME\0",
        LK_ERR_NO_DEVICE => "LK_ERR_NO_DEVICE\0",
        LK_ERR_CUDA => "LK_ERR_CUDA\0",
        _ => "LK_ERR_UNKNOWN\0",
    };
    s.as_ptr().cast()
}

/// A failure: its status and a message for `lk_last_error_message`.
pub(crate) struct Failure {
    pub status: lk_status,
    pub message: heapless::String<MESSAGE_CAPACITY>,
}

const MESSAGE_CAPACITY: usize = 192;

impl Failure {
    /// A failure of the C layer (pointer checks, enums) with a fixed message.
    pub fn new(status: lk_status, what: core::fmt::Arguments<'_>) -> Failure {
        let mut message = heapless::String::new();
        // A message longer than the capacity is cut short; that is fine for a diagnostic.
        let _ = message.write_fmt(what);
        Failure { status, message }
    }
}

impl From<losskit_core::Error> for Failure {
    fn from(e: losskit_core::Error) -> Failure {
        Failure::new(e.code(), format_args!("{e}"))
    }
}

/// The calling thread's last failure message: bytes and length. A plain array, because a
/// thread-local with a destructor (as heapless::String has) makes std allocate on first use.
struct Message {
    bytes: [u8; MESSAGE_CAPACITY],
    len: usize,
}

std::thread_local! {
    static LAST_ERROR: RefCell<Message> =
        const { RefCell::new(Message { bytes: [0; MESSAGE_CAPACITY], len: 0 }) };
}

pub(crate) fn record(f: &Failure) {
    LAST_ERROR.with(|m| {
        if let Ok(mut m) = m.try_borrow_mut() {
            let src = f.message.as_bytes();
            m.bytes[..src.len()].copy_from_slice(src);
            m.len = src.len();
        }
    });
}

/// Copies the message of the calling thread's last failed call into `buf` (at most `len`
/// bytes including the terminating NUL; the message is cut short if needed) and returns
/// the message's full length in bytes without the NUL. An empty string if no call failed.
/// `buf` may be NULL when `len` is 0, to ask for the length.
///
/// # Safety
/// `buf` must be valid for `len` bytes of writes.
#[no_mangle]
pub unsafe extern "C" fn lk_last_error_message(buf: *mut c_char, len: usize) -> usize {
    LAST_ERROR.with(|m| {
        let Ok(m) = m.try_borrow() else { return 0 };
        let bytes = &m.bytes[..m.len];
        if !buf.is_null() && len > 0 {
            let k = bytes.len().min(len - 1);
            // SAFETY: the caller promises `buf` holds `len` bytes, and k + 1 <= len.
            unsafe {
                core::ptr::copy_nonoverlapping(bytes.as_ptr(), buf.cast::<u8>(), k);
                *buf.add(k) = 0;
            }
        }
        bytes.len()
    })
}
