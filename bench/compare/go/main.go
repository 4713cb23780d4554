// go_compare: the Go-runtime baseline for the bench/compare workloads (see BENCH.md).
//
// Usage:
//
//	go_compare W1|W2|W3
//
// Env N sets the workload size (defaults as in BENCH.md), env PROCS sets GOMAXPROCS
// (default: all cores; W3 always uses 1). Prints
// `RESULT go <workload> <figure> <value> <unit>` lines on stdout.
// W1 and W3 run 3 times in-process and print the best (minimum time) run; W2 is one
// measurement per process (bench/compare/run starts 3 processes and keeps the lowest).
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

func main() {
	workloads := map[string]func(){"W1": w1, "W2": w2, "W3": w3}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go_compare W1|W2|W3")
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
