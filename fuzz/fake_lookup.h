// fake_lookup: the address fuzzer's stand-ins for the C library's name lookups
// (getaddrinfo, freeaddrinfo, getservbyname_r; fake_lookup.cpp). Linked into the harness,
// they take the place of glibc's (and ASan's interceptors) for every call goro makes, so
// the fuzzer never touches DNS, NSS or the network, and answers are deterministic:
//   hosts     "localhost"   ::1, 127.0.0.1, 127.0.0.1 (a duplicate, v6 listed first)
//             "v4.test"     192.0.2.1, 192.0.2.2
//             "v6.test"     2001:db8::1
//             anything else: EAI_NONAME
//   services  "http" 80 (tcp, udp), "domain" 53 (tcp, udp), "tftp" 69 (udp only)
// Each call is recorded, so the harness can check which lookups a parse made.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fake_lookup {

// The table above: the addresses getaddrinfo answers for host, as (family, text), in
// its order; a service's port for proto ("tcp" or "udp"), 0 if unknown.
std::vector<std::pair<int, std::string>> hosts_for(std::string_view host);
int service_port(std::string_view name, std::string_view proto);

struct record {
  std::vector<std::string> hosts;     // getaddrinfo's node arguments, in call order
  std::vector<std::string> services;  // getservbyname_r's name arguments
};

// What was looked up since the last reset().
record& calls();
void reset();

}  // namespace fake_lookup
