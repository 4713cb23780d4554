// Go module of the Go-runtime baseline for bench/compare (standard library only).
module gorobench

go 1.19
