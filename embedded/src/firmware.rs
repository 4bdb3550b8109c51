//! Bare-metal side: semihosting console and exit, stack painting, fault and
//! panic handlers. QEMU needs `-semihosting-config enable=on,target=native`.
use core::arch::asm;
use core::fmt::{self, Write};
use core::ptr;

const SYS_WRITE0: usize = 0x04;
const SYS_EXIT: usize = 0x18;
// 32-bit semihosting passes the exit reason itself: QEMU exits 0 for
// ApplicationExit and 1 for any other reason.
const ADP_STOPPED_APPLICATION_EXIT: usize = 0x20026;
const ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN: usize = 0x20023;

unsafe fn semihost(op: usize, arg: usize) -> usize {
    let ret;
    #[cfg(target_arch = "arm")]
    asm!("bkpt #0xab", inout("r0") op => ret, in("r1") arg, options(nostack));
    // The RISC-V semihosting trap is this exact uncompressed three-instruction
    // sequence, which must not straddle a page.
    #[cfg(target_arch = "riscv32")]
    asm!(
        ".balign 16",
        ".option push",
        ".option norvc",
        "slli x0, x0, 0x1f",
        "ebreak",
        "srai x0, x0, 7",
        ".option pop",
        inout("a0") op => ret, in("a1") arg, options(nostack),
    );
    ret
}

fn exit(success: bool) -> ! {
    let reason = if success {
        ADP_STOPPED_APPLICATION_EXIT
    } else {
        ADP_STOPPED_RUN_TIME_ERROR_UNKNOWN
    };
    unsafe { semihost(SYS_EXIT, reason) };
    loop {}
}

/// Line-buffered semihosting stdout (SYS_WRITE0 takes a NUL-terminated string).
struct Console {
    buf: [u8; 96],
    len: usize,
}

impl Console {
    const fn new() -> Self {
        Console {
            buf: [0; 96],
            len: 0,
        }
    }
    fn flush(&mut self) {
        self.buf[self.len] = 0;
        unsafe { semihost(SYS_WRITE0, self.buf.as_ptr() as usize) };
        self.len = 0;
    }
}

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            self.buf[self.len] = b;
            self.len += 1;
            if b == b'\n' || self.len == self.buf.len() - 1 {
                self.flush();
            }
        }
        Ok(())
    }
}

// ---- stack painting: [bottom, top) is the stack region from the linker script.
const PAINT: u32 = 0x5A5A_A5A5;

fn stack_bounds() -> (usize, usize) {
    #[cfg(target_arch = "arm")]
    extern "C" {
        #[link_name = "_stack_end"] // cortex-m-rt: end of .bss/.uninit
        static BOTTOM: u32;
        #[link_name = "_stack_start"]
        static TOP: u32;
    }
    #[cfg(target_arch = "riscv32")]
    extern "C" {
        #[link_name = "__estack"] // riscv-rt: start of the .stack region
        static BOTTOM: u32;
        #[link_name = "_stack_start"]
        static TOP: u32;
    }
    (ptr::addr_of!(BOTTOM) as usize, ptr::addr_of!(TOP) as usize)
}

fn stack_pointer() -> usize {
    let sp: usize;
    #[cfg(target_arch = "arm")]
    unsafe {
        asm!("mov {}, sp", out(reg) sp, options(nomem, nostack))
    };
    #[cfg(target_arch = "riscv32")]
    unsafe {
        asm!("mv {}, sp", out(reg) sp, options(nomem, nostack))
    };
    sp
}

/// Fill the unused stack below the current stack pointer with `PAINT`. The
/// compiler may push this function's own frame after reading sp, so stop
/// `MARGIN` bytes short of it (the margin then counts as used).
#[inline(never)]
fn paint_stack() {
    const MARGIN: usize = 128;
    let (bottom, _) = stack_bounds();
    let end = stack_pointer() - MARGIN;
    let mut p = bottom;
    while p < end {
        unsafe { ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// Bytes of stack ever used: from the top down to the lowest overwritten word.
fn stack_high_water() -> usize {
    let (bottom, top) = stack_bounds();
    let mut p = bottom;
    while p < top && unsafe { ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    top - p
}

fn start() -> ! {
    paint_stack();
    let mut console = Console::new();
    crate::cases::run(&mut console);
    let used = stack_high_water();
    let _ = writeln!(console, "stack_high_water_bytes {used}");
    exit(true)
}

fn fail(what: fmt::Arguments) -> ! {
    let _ = writeln!(Console::new(), "FAILED: {what}");
    exit(false)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    fail(format_args!("panic: {info}"))
}

#[cfg(target_arch = "arm")]
#[cortex_m_rt::entry]
fn main() -> ! {
    start()
}

#[cfg(target_arch = "arm")]
#[cortex_m_rt::exception]
unsafe fn HardFault(frame: &cortex_m_rt::ExceptionFrame) -> ! {
    fail(format_args!("HardFault at pc=0x{:08x}", frame.pc()))
}

#[cfg(target_arch = "riscv32")]
#[riscv_rt::entry]
fn main() -> ! {
    start()
}

#[cfg(target_arch = "riscv32")]
#[export_name = "ExceptionHandler"]
fn exception_handler(frame: &riscv_rt::TrapFrame) -> ! {
    let mcause: usize;
    unsafe { asm!("csrr {}, mcause", out(reg) mcause) };
    fail(format_args!(
        "exception mcause={mcause} ra=0x{:08x}",
        frame.ra
    ))
}
