//! The bench workloads (bench/README.md) on the futures crate's LocalPool, a
//! single-threaded executor with boxed tasks, using embassy-sync's
//! executor-agnostic Signal / Channel / AtomicWaker and, for timers, a small
//! virtual clock (a binary heap of wakers) as a futures user would write one.
//! Speaks the bench protocol: <workload> <n> <t> <reps> <seed>.

use core::cell::{Cell, RefCell};
use core::cmp::Reverse;
use core::future::{poll_fn, Future};
use core::pin::Pin;
use core::sync::atomic::{compiler_fence, Ordering::SeqCst};
use core::task::{Context, Poll, Waker};
use std::collections::BinaryHeap;
use std::rc::Rc;
use std::time::Instant as WallClock;

use embassy_sync::blocking_mutex::raw::NoopRawMutex as Raw;
use embassy_sync::channel::Channel;
use embassy_sync::signal::Signal;
use embassy_sync::waitqueue::AtomicWaker;
use futures_executor::LocalPool;
use futures_task::LocalSpawn;

const MAX_T: usize = 16;

// embassy-sync's AtomicWaker takes a critical section: one core, no real interrupts.
struct SingleCore;
critical_section::set_impl!(SingleCore);
unsafe impl critical_section::Impl for SingleCore {
    unsafe fn acquire() -> critical_section::RawRestoreState { compiler_fence(SeqCst); }
    unsafe fn release(_: critical_section::RawRestoreState) { compiler_fence(SeqCst); }
}

fn xorshift(mut x: u32) -> u32 { x ^= x << 13; x ^= x >> 17; x ^= x << 5; x }

// ---- a virtual clock: sleepers in a min-heap by (deadline, arming order) ----

thread_local! {
    static NOW: Cell<u64> = const { Cell::new(0) };
    static SEQ: Cell<u64> = const { Cell::new(0) };
    static TIMERS: RefCell<BinaryHeap<Reverse<(u64, u64, WakerBox)>>> = RefCell::new(BinaryHeap::new());
}

/// A Waker that orders as equal, so the heap orders by (deadline, seq) only.
struct WakerBox(Waker);
impl PartialEq for WakerBox { fn eq(&self, _: &Self) -> bool { true } }
impl Eq for WakerBox {}
impl PartialOrd for WakerBox { fn partial_cmp(&self, o: &Self) -> Option<core::cmp::Ordering> { Some(self.cmp(o)) } }
impl Ord for WakerBox { fn cmp(&self, _: &Self) -> core::cmp::Ordering { core::cmp::Ordering::Equal } }

struct Sleep { at: u64, armed: bool }
fn sleep(d: u64) -> Sleep { Sleep { at: NOW.get() + d, armed: false } }
impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if NOW.get() >= self.at { return Poll::Ready(()); }
        if !self.armed {
            self.armed = true;
            let seq = SEQ.get(); SEQ.set(seq + 1);
            let at = self.at;
            TIMERS.with(|t| t.borrow_mut().push(Reverse((at, seq, WakerBox(cx.waker().clone())))));
        }
        Poll::Pending
    }
}

/// Jump to the earliest deadline and wake everything due then; false if no timer is armed.
fn fire_next() -> bool {
    TIMERS.with(|t| {
        let mut t = t.borrow_mut();
        let Some(Reverse((at, _, _))) = t.peek() else { return false };
        let at = *at;
        NOW.set(at);
        while let Some(Reverse((d, _, _))) = t.peek() {
            if *d > at { break; }
            let Reverse((_, _, w)) = t.pop().unwrap();
            w.0.wake();
        }
        true
    })
}

fn run(pool: &mut LocalPool, w: &str, n: u32, t: usize, seed: u32) -> Option<i64> {
    let sp = pool.spawner();
    let spawn = |f: Pin<Box<dyn Future<Output = ()>>>| sp.spawn_local_obj(f.into()).ok();
    NOW.set(0);
    match w {
        "pingpong" => {
            let to_ping = Rc::new(Signal::<Raw, ()>::new());
            let to_pong = Rc::new(Signal::<Raw, ()>::new());
            let (a, b) = (to_ping.clone(), to_pong.clone());
            spawn(Box::pin(async move { for _ in 0..n { b.signal(()); a.wait().await; } }))?;
            spawn(Box::pin(async move { for _ in 0..n { to_pong.wait().await; to_ping.signal(()); } }))?;
            pool.run();
            Some(n as i64 * 2)
        }
        "fanout" => {
            let lines: Rc<Vec<(Cell<bool>, AtomicWaker)>> = Rc::new((0..t).map(|_| (Cell::new(false), AtomicWaker::new())).collect());
            let counts: Rc<Vec<Cell<i64>>> = Rc::new((0..t).map(|_| Cell::new(0)).collect());
            let stop = Rc::new(Cell::new(false));
            for i in 0..t {
                let (lines, counts, stop) = (lines.clone(), counts.clone(), stop.clone());
                spawn(Box::pin(async move {
                    loop {
                        poll_fn(|cx| {
                            lines[i].1.register(cx.waker());
                            if lines[i].0.replace(false) { Poll::Ready(()) } else { Poll::Pending }
                        }).await;
                        if stop.get() { break; }
                        counts[i].set(counts[i].get() + 1);
                    }
                }))?;
            }
            pool.run_until_stalled();
            let isr = |l: usize| { lines[l].0.set(true); lines[l].1.wake(); };
            let mut x = seed;
            for _ in 0..n {
                x = xorshift(x);
                isr((x % t as u32) as usize);
                pool.run_until_stalled();
            }
            stop.set(true);
            for i in 0..t { isr(i); }
            pool.run();
            Some((0..t).map(|i| counts[i].get() * (i as i64 + 1)).sum())
        }
        "timers" => {
            let k = n / t as u32;
            let ends: Rc<Vec<Cell<i64>>> = Rc::new((0..t).map(|_| Cell::new(0)).collect());
            for i in 0..t {
                let ends = ends.clone();
                let mut x = seed.wrapping_add((i as u32).wrapping_mul(0x9E37_79B9)) | 1;
                spawn(Box::pin(async move {
                    for _ in 0..k { x = xorshift(x); sleep(1 + (x % 1000) as u64).await; }
                    ends[i].set(NOW.get() as i64);
                }))?;
            }
            loop {
                pool.run_until_stalled();
                if !fire_next() { break; }
            }
            Some(ends.iter().map(|e| e.get()).sum())
        }
        "channel" => {
            let ch = Rc::new(Channel::<Raw, u32, 16>::new());
            let sum = Rc::new(Cell::new(0i64));
            let (tx, s) = (ch.clone(), sum.clone());
            spawn(Box::pin(async move { for i in 1..=n { tx.send(i).await; } }))?;
            spawn(Box::pin(async move {
                let mut acc = 0i64;
                for i in 1..=n { let v = ch.receive().await; acc += if v == i { v as i64 } else { -(1i64 << 40) }; }
                s.set(acc);
            }))?;
            pool.run();
            Some(sum.get())
        }
        _ => None,
    }
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let nums: Vec<u64> = a.iter().skip(1).filter_map(|s| s.parse().ok()).collect();
    if a.len() != 5 || nums.len() != 4 || nums.iter().any(|&x| x == 0) || nums[1] as usize > MAX_T {
        eprintln!("bench: usage: localpool <workload> <n> <t 1..{MAX_T}> <reps> <seed>");
        std::process::exit(2);
    }
    let (w, n, t, reps, seed) = (a[0].as_str(), nums[0] as u32, nums[1] as usize, nums[2], nums[3] as u32);
    let mut pool = LocalPool::new();
    let ops = if w == "timers" { n / t as u32 * t as u32 } else { n };
    for r in 0..=reps {
        let t0 = WallClock::now();
        let c = run(&mut pool, w, n, t, seed);
        let ns = t0.elapsed().as_nanos();
        let Some(c) = c else { eprintln!("bench: {w}: unknown workload or spawn failure"); std::process::exit(2); };
        if r > 0 { println!("{{\"ns\":{ns},\"ops\":{ops},\"checksum\":\"{c}\"}}"); }
    }
}
