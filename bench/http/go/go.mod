// Go module of the net/http baseline for bench/http (standard library only).
module gorohttpbench

go 1.19
