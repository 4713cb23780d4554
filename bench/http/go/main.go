// The Go baseline of bench/http: net/http's hello server, as plain as Go's docs write it.
// Every request gets 200 with the body "Hello, World!" and Content-Type text/plain (set
// explicitly, so the header matches examples/http_hello.cpp's byte for byte; net/http
// adds Content-Length and Date itself). GOMAXPROCS is Go's default (every CPU).
//
//	go run . [port | host:port]     default 127.0.0.1:8081
//
// Prints "listening on ADDR" once the socket listens, then serves until killed.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
)

func main() {
	addr := "127.0.0.1:8081"
	if len(os.Args) > 1 {
		addr = os.Args[1]
		if !strings.Contains(addr, ":") {
			addr = "127.0.0.1:" + addr
		}
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "Hello, World!")
	})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	log.Fatal(http.Serve(ln, nil))
}
