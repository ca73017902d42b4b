//! The bench workloads (bench/README.md) on Embassy: embassy-executor's raw
//! executor polled by a host loop (what its "spin" platform does), embassy-sync's
//! Signal / Channel / AtomicWaker, embassy-time's Timer on a virtual-time driver
//! whose queue is embassy's own (embassy-time-queue-utils, integrated).
//! Speaks the bench protocol: <workload> <n> <t> <reps> <seed>.

use core::cell::RefCell;
use core::future::poll_fn;
use core::sync::atomic::{compiler_fence, AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering::{Relaxed, SeqCst}};
use core::task::{Poll, Waker};
use std::time::Instant as WallClock;

use embassy_executor::{raw, Spawner};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex as Cs;
use embassy_sync::channel::Channel;
use embassy_sync::signal::Signal;
use embassy_sync::waitqueue::AtomicWaker;
use embassy_time::Timer;
use embassy_time_queue_utils::Queue;

const MAX_T: usize = 16;

// ---- platform glue: what a single-core MCU port provides -----------------

/// A critical section on one core with no real interrupts: a compiler fence,
/// as cheap as the mask/unmask pair it stands for on a Cortex-M.
struct SingleCore;
critical_section::set_impl!(SingleCore);
unsafe impl critical_section::Impl for SingleCore {
    unsafe fn acquire() -> critical_section::RawRestoreState { compiler_fence(SeqCst); }
    unsafe fn release(_: critical_section::RawRestoreState) { compiler_fence(SeqCst); }
}

/// Set when the executor has work (a task was woken); the host loop polls again.
static PENDED: AtomicBool = AtomicBool::new(false);
#[export_name = "__pender"]
fn pender(_context: *mut ()) { PENDED.store(true, Relaxed); }

/// Virtual time and embassy's timer queue behind embassy-time's driver interface.
static VNOW: AtomicU64 = AtomicU64::new(0);
static QUEUE: critical_section::Mutex<RefCell<Queue>> = critical_section::Mutex::new(RefCell::new(Queue::new()));
struct VirtualDriver;
impl embassy_time_driver::Driver for VirtualDriver {
    fn now(&self) -> u64 { VNOW.load(Relaxed) }
    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| { QUEUE.borrow_ref_mut(cs).schedule_wake(at, waker); });
    }
}
embassy_time_driver::time_driver_impl!(static DRIVER: VirtualDriver = VirtualDriver);

/// Wake every timer due at `now`; returns the next deadline (u64::MAX for none).
fn expire(now: u64) -> u64 { critical_section::with(|cs| QUEUE.borrow_ref_mut(cs).next_expiration(now)) }

static DONE: AtomicU32 = AtomicU32::new(0);

/// Poll until `tasks` tasks have finished; jump virtual time to the next deadline when idle.
fn run_until(ex: &'static raw::Executor, tasks: u32) -> bool {
    loop {
        PENDED.store(false, Relaxed);
        unsafe { ex.poll() };
        if DONE.load(Relaxed) >= tasks { return true; }
        if PENDED.load(Relaxed) { continue; }
        let now = VNOW.load(Relaxed);
        let next = expire(now);
        if next == u64::MAX { return false; }
        if next > now { VNOW.store(next, Relaxed); expire(next); }
    }
}

fn xorshift(mut x: u32) -> u32 { x ^= x << 13; x ^= x >> 17; x ^= x << 5; x }

// ---- 1. ping-pong ----------------------------------------------------------

static TO_PING: Signal<Cs, ()> = Signal::new();
static TO_PONG: Signal<Cs, ()> = Signal::new();

#[embassy_executor::task]
async fn ping(n: u32) {
    for _ in 0..n { TO_PONG.signal(()); TO_PING.wait().await; }
    DONE.fetch_add(1, Relaxed);
}
#[embassy_executor::task]
async fn pong(n: u32) {
    for _ in 0..n { TO_PONG.wait().await; TO_PING.signal(()); }
    DONE.fetch_add(1, Relaxed);
}

// ---- 2. IRQ fan-out --------------------------------------------------------

/// Per line: the pending flag an ISR sets and the waker it wakes (an embassy HAL's pattern).
static LINE_FLAG: [AtomicBool; MAX_T] = [const { AtomicBool::new(false) }; MAX_T];
static LINE_WAKER: [AtomicWaker; MAX_T] = [const { AtomicWaker::new() }; MAX_T];
static COUNTS: [AtomicU32; MAX_T] = [const { AtomicU32::new(0) }; MAX_T];
static STOP: AtomicBool = AtomicBool::new(false);

fn isr(line: usize) { LINE_FLAG[line].store(true, Relaxed); LINE_WAKER[line].wake(); }

#[embassy_executor::task(pool_size = 16)]
async fn irq_waiter(i: usize) {
    loop {
        poll_fn(|cx| {
            LINE_WAKER[i].register(cx.waker());
            if LINE_FLAG[i].swap(false, Relaxed) { Poll::Ready(()) } else { Poll::Pending }
        }).await;
        if STOP.load(Relaxed) { break; }
        COUNTS[i].fetch_add(1, Relaxed);
    }
    DONE.fetch_add(1, Relaxed);
}

// ---- 3. timers --------------------------------------------------------------

static ENDS: [AtomicI64; MAX_T] = [const { AtomicI64::new(0) }; MAX_T];

#[embassy_executor::task(pool_size = 16)]
async fn sleeper(i: usize, k: u32, mut x: u32) {
    for _ in 0..k {
        x = xorshift(x);
        Timer::after_ticks(1 + (x % 1000) as u64).await;
    }
    ENDS[i].store(embassy_time::Instant::now().as_ticks() as i64, Relaxed);
    DONE.fetch_add(1, Relaxed);
}

// ---- 4. channel -------------------------------------------------------------

static CHAN: Channel<Cs, u32, 16> = Channel::new();
static SUM: AtomicI64 = AtomicI64::new(0);

#[embassy_executor::task]
async fn producer(n: u32) {
    for i in 1..=n { CHAN.send(i).await; }
    DONE.fetch_add(1, Relaxed);
}
#[embassy_executor::task]
async fn consumer(n: u32) {
    let mut sum: i64 = 0;
    for i in 1..=n {
        let v = CHAN.receive().await;
        sum += if v == i { v as i64 } else { -(1i64 << 40) };
    }
    SUM.store(sum, Relaxed);
    DONE.fetch_add(1, Relaxed);
}

// ---- driver -------------------------------------------------------------------

fn run(ex: &'static raw::Executor, sp: Spawner, w: &str, n: u32, t: usize, seed: u32) -> Option<i64> {
    DONE.store(0, Relaxed);
    VNOW.store(0, Relaxed);
    match w {
        "pingpong" => {
            TO_PING.reset(); TO_PONG.reset();
            sp.spawn(ping(n).ok()?); sp.spawn(pong(n).ok()?);
            run_until(ex, 2).then_some(n as i64 * 2)
        }
        "fanout" => {
            STOP.store(false, Relaxed);
            for i in 0..t { COUNTS[i].store(0, Relaxed); LINE_FLAG[i].store(false, Relaxed); sp.spawn(irq_waiter(i).ok()?); }
            PENDED.store(false, Relaxed);
            unsafe { ex.poll() }; // every waiter registers
            let mut x = seed;
            for _ in 0..n {
                x = xorshift(x);
                isr((x % t as u32) as usize);
                while PENDED.swap(false, Relaxed) { unsafe { ex.poll() }; }
            }
            STOP.store(true, Relaxed);
            for i in 0..t { isr(i); }
            if !run_until(ex, t as u32) { return None; }
            Some((0..t).map(|i| COUNTS[i].load(Relaxed) as i64 * (i as i64 + 1)).sum())
        }
        "timers" => {
            let k = n / t as u32;
            for i in 0..t {
                let x = seed.wrapping_add((i as u32).wrapping_mul(0x9E37_79B9)) | 1;
                sp.spawn(sleeper(i, k, x).ok()?);
            }
            run_until(ex, t as u32).then(|| (0..t).map(|i| ENDS[i].load(Relaxed)).sum())
        }
        "channel" => {
            sp.spawn(producer(n).ok()?); sp.spawn(consumer(n).ok()?);
            run_until(ex, 2).then(|| SUM.load(Relaxed))
        }
        _ => None,
    }
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let nums: Vec<u64> = a.iter().skip(1).filter_map(|s| s.parse().ok()).collect();
    if a.len() != 5 || nums.len() != 4 || nums.iter().any(|&x| x == 0) || nums[1] as usize > MAX_T {
        eprintln!("bench: usage: embassy <workload> <n> <t 1..{MAX_T}> <reps> <seed>");
        std::process::exit(2);
    }
    let (w, n, t, reps, seed) = (a[0].as_str(), nums[0] as u32, nums[1] as usize, nums[2], nums[3] as u32);
    let ex: &'static raw::Executor = Box::leak(Box::new(raw::Executor::new(core::ptr::null_mut())));
    let sp = ex.spawner();
    let ops = if w == "timers" { n / t as u32 * t as u32 } else { n };
    for r in 0..=reps {
        let t0 = WallClock::now();
        let c = run(ex, sp, w, n, t, seed);
        let ns = t0.elapsed().as_nanos();
        let Some(c) = c else { eprintln!("bench: {w}: unknown workload, stall or spawn failure"); std::process::exit(2); };
        if r > 0 { println!("{{\"ns\":{ns},\"ops\":{ops},\"checksum\":\"{c}\"}}"); }
    }
}
