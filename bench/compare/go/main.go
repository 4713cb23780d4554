// go_compare: the Go-runtime baseline for the bench/compare workloads (see BENCH.md).
//
// Usage:
//
//	go_compare W1|W2|W3|W4|W5|W6|W7|W8|W9|W10|W11
//
// Env N sets the workload size (defaults as in BENCH.md), env PROCS sets GOMAXPROCS
// (default: all cores; W3 always uses 1). Prints
// `RESULT go <workload> <figure> <value> <unit>` lines on stdout.
// Every workload but W2 runs 3 times in-process and prints the best (minimum time) run;
// W2 is one measurement per process (bench/compare/run starts 3 processes and keeps the
// lowest). W4 and W8 name their figure after the worker count they ran with (procsFigure):
// bench/compare/run starts each once with PROCS=1 and once with PROCS=<all cores> (and
// computes W8's speedup from the two).
// W5 and W6 check that the sum received equals the sum sent, W7 that the counter equals
// the increments made, W8 that the result is fib(N) and that every call at or above the
// cut-off ran in its own goroutine, W10 that the wall time is not below the ideal (exit 1
// otherwise).
// W10 reports the fastest run's overshoot over the ideal and that run's CPU time
// (syscall.Getrusage); its sleep durations come from timerSleepMs, the same hash as the
// C++ programs' bench::timer_sleep_ms.
// W11 is a server, not a measurement: a TCP echo server on 127.0.0.1 (port from env PORT,
// default 0 = any free one), a goroutine per connection copying what it reads back with a
// 4 KiB buffer. It prints `PORT <port>` as its first stdout line and serves until its stdin
// reaches end of file (bench/compare/run holds it open and closes it to stop the server;
// SIGTERM also ends it). The load client (loadclient/main.cpp) prints the RESULT lines.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const reps = 3

// envInt returns the positive integer in env var name, or def when unset.
func envInt(name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v <= 0 {
		fmt.Fprintf(os.Stderr, "go_compare: bad %s=%q\n", name, s)
		os.Exit(2)
	}
	return v
}

// unit returns base, with the size appended when it is not the contract default.
func unit(base string, n, def int) string {
	if n == def {
		return base
	}
	return fmt.Sprintf("%s(N=%d)", base, n)
}

func result(workload, figure string, value float64, unit string) {
	fmt.Printf("RESULT go %s %s %.2f %s\n", workload, figure, value, unit)
}

// vmRSS returns the resident set size of this process in bytes.
func vmRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		fmt.Fprintln(os.Stderr, "go_compare:", err)
		os.Exit(1)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err == nil {
				return kb * 1024
			}
		}
	}
	fmt.Fprintln(os.Stderr, "go_compare: no VmRSS in /proc/self/status")
	os.Exit(1)
	return 0
}

// W1: spawn n goroutines that each only signal a WaitGroup; main waits.
func w1() {
	const def = 1000000
	n := envInt("N", def)
	best := time.Duration(1<<63 - 1)
	for r := 0; r < reps; r++ {
		runtime.GC()
		var wg sync.WaitGroup
		wg.Add(n)
		start := time.Now()
		for i := 0; i < n; i++ {
			go func() { wg.Done() }()
		}
		wg.Wait()
		if d := time.Since(start); d < best {
			best = d
		}
	}
	result("W1", "ns_per_goroutine", float64(best.Nanoseconds())/float64(n), unit("ns", n, def))
}

// W2: n goroutines block receiving from one channel; RSS delta / n. One measurement.
func w2() {
	const def = 100000
	n := envInt("N", def)
	ch := make(chan int)
	var parked int64
	var wg sync.WaitGroup
	wg.Add(n)
	runtime.GC()
	before := vmRSS()
	for i := 0; i < n; i++ {
		go func() {
			atomic.AddInt64(&parked, 1)
			<-ch
			wg.Done()
		}()
	}
	// Every goroutine counts itself just before it receives; once all have counted, a
	// short settle lets the last ones reach the receive and park.
	for atomic.LoadInt64(&parked) < int64(n) {
		runtime.Gosched()
	}
	time.Sleep(50 * time.Millisecond)
	after := vmRSS()
	close(ch)
	wg.Wait()
	result("W2", "bytes_per_parked", float64(after-before)/float64(n), unit("bytes", n, def))
}

// W3: GOMAXPROCS=1, two goroutines each call runtime.Gosched n times.
func w3() {
	const def = 5000000
	n := envInt("N", def)
	runtime.GOMAXPROCS(1)
	best := time.Duration(1<<63 - 1)
	for r := 0; r < reps; r++ {
		var wg sync.WaitGroup
		wg.Add(2)
		start := time.Now()
		for g := 0; g < 2; g++ {
			go func() {
				for i := 0; i < n; i++ {
					runtime.Gosched()
				}
				wg.Done()
			}()
		}
		wg.Wait()
		if d := time.Since(start); d < best {
			best = d
		}
	}
	result("W3", "ns_per_switch", float64(best.Nanoseconds())/float64(2*n), unit("ns", n, def))
}

// bestOf runs once reps times and returns the shortest duration.
func bestOf(once func()) time.Duration {
	best := time.Duration(1<<63 - 1)
	for r := 0; r < reps; r++ {
		runtime.GC()
		start := time.Now()
		once()
		if d := time.Since(start); d < best {
			best = d
		}
	}
	return best
}

// perItem is d / n in nanoseconds.
func perItem(d time.Duration, n int) float64 {
	return float64(d.Nanoseconds()) / float64(n)
}

// procsFigure returns base + "_procs1" when running on one P, base + "_procsall" on all
// cores, and base + "_procs<k>" otherwise.
func procsFigure(base string) string {
	switch p := runtime.GOMAXPROCS(0); {
	case p == 1:
		return base + "_procs1"
	case p == runtime.NumCPU():
		return base + "_procsall"
	default:
		return fmt.Sprintf("%s_procs%d", base, p)
	}
}

// checkSum exits with status 1 when the received sum is not the sent one.
func checkSum(workload string, got, want int64) {
	if got != want {
		fmt.Fprintf(os.Stderr, "go_compare: %s: received sum %d, sent %d\n", workload, got, want)
		os.Exit(1)
	}
}

// W4: two goroutines bounce a value over two unbuffered channels n times.
func w4() {
	const def = 1000000
	n := envInt("N", def)
	best := bestOf(func() {
		ping, pong := make(chan int), make(chan int)
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { // the pinger starts every round trip
			for i := 0; i < n; i++ {
				ping <- i
				<-pong
			}
			wg.Done()
		}()
		go func() { // the ponger answers it
			for i := 0; i < n; i++ {
				pong <- <-ping
			}
			wg.Done()
		}()
		wg.Wait()
	})
	result("W4", procsFigure("ns_per_roundtrip"), perItem(best, n), unit("ns", n, def))
}

// bufferedRun sends 0..n-1 through a channel of capacity 1024 from p producers (each a
// contiguous share) to c consumers, which range over it until it is closed.
func bufferedRun(p, c, n int) {
	ch := make(chan int, 1024)
	var producers, consumers sync.WaitGroup
	var total int64
	producers.Add(p)
	consumers.Add(c)
	for k := 0; k < p; k++ {
		lo, hi := n*k/p, n*(k+1)/p
		go func() {
			for i := lo; i < hi; i++ {
				ch <- i
			}
			producers.Done()
		}()
	}
	for k := 0; k < c; k++ {
		go func() {
			var sum int64
			for v := range ch {
				sum += int64(v)
			}
			atomic.AddInt64(&total, sum)
			consumers.Done()
		}()
	}
	producers.Wait()
	close(ch)
	consumers.Wait()
	checkSum("W5", total, int64(n)*int64(n-1)/2)
}

// W5: buffered channel (capacity 1024), 1 producer 1 consumer, then 4 and 4; n ints.
func w5() {
	const def = 10000000
	n := envInt("N", def)
	d1 := bestOf(func() { bufferedRun(1, 1, n) })
	result("W5", "ns_per_item_1p1c", perItem(d1, n), unit("ns", n, def))
	d4 := bestOf(func() { bufferedRun(4, 4, n) })
	result("W5", "ns_per_item_4p4c", perItem(d4, n), unit("ns", n, def))
}

// W6: two producers each send n/2 ints on their own unbuffered channel and close it; one
// consumer selects over both, setting a closed channel to nil, until both are nil.
func w6() {
	const def = 1000000
	n := envInt("N", def)
	half := n / 2
	best := bestOf(func() {
		a, b := make(chan int), make(chan int)
		produce := func(c chan<- int) {
			for i := 0; i < half; i++ {
				c <- i
			}
			close(c)
		}
		go produce(a)
		go produce(b)
		var sum int64
		for a != nil || b != nil {
			select {
			case v, ok := <-a:
				if !ok {
					a = nil
					continue
				}
				sum += int64(v)
			case v, ok := <-b:
				if !ok {
					b = nil
					continue
				}
				sum += int64(v)
			}
		}
		checkSum("W6", sum, int64(half)*int64(half-1))
	})
	result("W6", "ns_per_msg", perItem(best, 2*half), unit("ns", n, def))
}

// W7: 4*GOMAXPROCS goroutines share n increments of one counter (each a contiguous
// share, so they add up to exactly n), each increment under one sync.Mutex; the count is
// checked.
func w7() {
	const def = 10000000
	n := envInt("N", def)
	workers := 4 * runtime.GOMAXPROCS(0)
	best := bestOf(func() {
		var mu sync.Mutex
		var counter int64 // guarded by mu
		var wg sync.WaitGroup
		wg.Add(workers)
		for k := 0; k < workers; k++ {
			share := n*(k+1)/workers - n*k/workers
			go func() {
				for i := 0; i < share; i++ {
					mu.Lock()
					counter++
					mu.Unlock()
				}
				wg.Done()
			}()
		}
		wg.Wait()
		if counter != int64(n) {
			fmt.Fprintf(os.Stderr, "go_compare: W7: counter is %d, want %d\n", counter, n)
			os.Exit(1)
		}
	})
	result("W7", "ns_per_op", perItem(best, n), unit("ns", n, def))
}

// W8 (fork-join): fib(n), default forkN; every call with n >= forkCutoff runs in a goroutine
// of its own, the calls below run serially in their caller. Same constants and functions
// as the C++ programs' (common/harness.hpp: kForkN, kForkCutoff, fib_serial, ...).
const forkN, forkCutoff = 32, 20

// fibSerial is the serial part: plain doubly recursive fib.
func fibSerial(n int) int {
	if n < 2 {
		return n
	}
	return fibSerial(n-1) + fibSerial(n-2)
}

// fibExpected is fib(n) by iteration, what W8 must find.
func fibExpected(n int) int {
	a, b := 0, 1
	for i := 0; i < n; i++ {
		a, b = b, a+b
	}
	return a
}

// forkSpawnsExpected is how many goroutines W8 must spawn for fib(n): the calls with
// argument >= forkCutoff, c(k) = 1 + c(k-1) + c(k-2) from the cut-off up (609 for fib(32)).
func forkSpawnsExpected(n int) int64 {
	var below2, below1 int64
	if n < forkCutoff {
		return 0
	}
	for k := forkCutoff; k <= n; k++ {
		below2, below1 = below1, 1+below1+below2
	}
	return below1
}

// fibFork is fib(n) for n >= forkCutoff, running in its own goroutine: each child call at
// or above the cut-off gets a goroutine (spawned first), the others run here serially; a
// WaitGroup joins the children. spawned counts the goroutines started.
func fibFork(n int, spawned *int64) int {
	atomic.AddInt64(spawned, 1)
	var r [2]int
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		i, m := i, n-1-i
		if m >= forkCutoff {
			wg.Add(1)
			go func() {
				r[i] = fibFork(m, spawned)
				wg.Done()
			}()
		} else {
			r[i] = fibSerial(m)
		}
	}
	wg.Wait()
	return r[0] + r[1]
}

// W8: fork-join fib(N): main spawns the root call's goroutine and waits for it; each run's
// result and goroutine count are checked (exit 1 otherwise).
func w8() {
	n := envInt("N", forkN)
	best := bestOf(func() {
		var spawned int64
		got := 0
		if n >= forkCutoff {
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				got = fibFork(n, &spawned)
				wg.Done()
			}()
			wg.Wait()
		} else {
			got = fibSerial(n)
		}
		if got != fibExpected(n) || spawned != forkSpawnsExpected(n) {
			fmt.Fprintf(os.Stderr, "go_compare: W8: fib(%d) = %d with %d goroutines spawned, want %d and %d\n",
				n, got, spawned, fibExpected(n), forkSpawnsExpected(n))
			os.Exit(1)
		}
	})
	result("W8", procsFigure("ms"), float64(best.Nanoseconds())/1e6, unit("ms", n, forkN))
}

// W9: 503 goroutines in a ring of unbuffered channels pass a token n hops. The token
// carries the hops left; whoever receives 0 closes the next channel, and each goroutine
// that finds its input closed closes the next one and exits, so the ring winds down.
func w9() {
	const def, ring = 10000000, 503
	n := envInt("N", def)
	best := bestOf(func() {
		chans := make([]chan int, ring)
		for i := range chans {
			chans[i] = make(chan int)
		}
		var wg sync.WaitGroup
		wg.Add(ring)
		for i := 0; i < ring; i++ {
			in, out := chans[i], chans[(i+1)%ring]
			go func() {
				defer wg.Done()
				for t := range in {
					if t == 0 {
						break
					}
					out <- t - 1
				}
				close(out)
			}()
		}
		chans[0] <- n
		wg.Wait()
	})
	result("W9", "ns_per_hop", perItem(best, n), unit("ns", n, def))
}

// timerSleeps is how many times every goroutine sleeps in W10.
const timerSleeps = 10

// timerSleepMs is the k-th sleep of goroutine g in W10, 1..50 ms: a fixed hash of (g, k)
// (the splitmix64 finalizer), so that every system sleeps the same durations. It must stay
// identical to bench::timer_sleep_ms in common/harness.hpp.
func timerSleepMs(g, k int) int {
	z := (uint64(g)*timerSleeps + uint64(k) + 1) * 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	z ^= z >> 31
	return int(1 + z%50)
}

// timerIdealMs is W10's ideal wall time for goroutines 0..n-1: the longest total sleep of
// any one, in ms.
func timerIdealMs(n int) int {
	ideal := 0
	for g := 0; g < n; g++ {
		sum := 0
		for k := 0; k < timerSleeps; k++ {
			sum += timerSleepMs(g, k)
		}
		if sum > ideal {
			ideal = sum
		}
	}
	return ideal
}

// cpuMs is the CPU time (user + system, all threads) this process has used so far, in ms.
func cpuMs() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fmt.Fprintln(os.Stderr, "go_compare:", err)
		os.Exit(1)
	}
	ms := func(t syscall.Timeval) float64 { return float64(t.Sec)*1e3 + float64(t.Usec)/1e3 }
	return ms(ru.Utime) + ms(ru.Stime)
}

// W10: n goroutines each sleep timerSleeps times for timerSleepMs(g, k) (1..50 ms) with
// time.Sleep; main waits on a WaitGroup. The wall time covers spawning and joining;
// overshoot = wall - ideal (the longest goroutine's total sleep). Reports the fastest of
// reps runs and that run's CPU time.
func w10() {
	const def = 100000
	n := envInt("N", def)
	ideal := float64(timerIdealMs(n))
	bestWall, bestCPU := math.Inf(1), 0.0
	for r := 0; r < reps; r++ {
		runtime.GC()
		cpu0 := cpuMs()
		start := time.Now()
		var wg sync.WaitGroup
		wg.Add(n)
		for g := 0; g < n; g++ {
			g := g
			go func() {
				for k := 0; k < timerSleeps; k++ {
					time.Sleep(time.Duration(timerSleepMs(g, k)) * time.Millisecond)
				}
				wg.Done()
			}()
		}
		wg.Wait()
		wall := float64(time.Since(start).Nanoseconds()) / 1e6
		if cpu := cpuMs() - cpu0; wall < bestWall {
			bestWall, bestCPU = wall, cpu
		}
	}
	if bestWall < ideal {
		fmt.Fprintf(os.Stderr, "go_compare: W10: wall time %.2f ms is below the ideal %.0f ms (a sleep returned early)\n",
			bestWall, ideal)
		os.Exit(1)
	}
	result("W10", "overshoot_ms", bestWall-ideal, unit("ms", n, def))
	result("W10", "cpu_ms", bestCPU, unit("ms", n, def))
}

// W11: the echo server (see the top of this file). Go raises its own RLIMIT_NOFILE soft
// limit to the hard one at start (Go 1.19+), and sets TCP_NODELAY on every connection.
func w11() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "0"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, "go_compare: W11:", err)
		os.Exit(1)
	}
	fmt.Printf("PORT %d\n", ln.Addr().(*net.TCPAddr).Port)
	go func() { // the stop signal: end of file on stdin
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	for errs := 0; ; {
		c, err := ln.Accept()
		if err != nil {
			if errs++; errs <= 10 {
				fmt.Fprintln(os.Stderr, "go_compare: W11: accept:", err)
			}
			if errors.Is(err, net.ErrClosed) {
				os.Exit(1)
			}
			continue
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 4096)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil { // io.EOF, or a reset
					return
				}
			}
		}()
	}
}

func main() {
	workloads := map[string]func(){"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W7": w7, "W8": w8, "W9": w9,
		"W10": w10, "W11": w11}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go_compare W1|W2|W3|W4|W5|W6|W7|W8|W9|W10|W11")
		os.Exit(2)
	}
	run, ok := workloads[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "go_compare: unsupported workload %s\n", os.Args[1])
		os.Exit(3)
	}
	runtime.GOMAXPROCS(envInt("PROCS", runtime.NumCPU()))
	run()
}
