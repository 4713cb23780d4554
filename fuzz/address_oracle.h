// address_oracle: what goro::net's address resolution must answer for (network, addr),
// computed independently of src/net from the contract: net.hpp and API.md (networks,
// "host:port", "[v6]:port", a unix path or "@abstract", invalid_argument for a bad
// address or network, host_not_found for a failed lookup), Go's SplitHostPort for the
// splitting (which src/net/address.cpp says it follows), and fake_lookup's answers for
// names. It also says which host names a resolution must look up: none for a literal or
// a malformed address (a malformed one must never reach DNS).
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "goro/net.hpp"

namespace address_oracle {

struct expectation {
  std::error_code ec;                       // empty, std::errc::invalid_argument or errc::host_not_found
  std::vector<goro::net::address> all;      // every address, in order (resolve() gives the first)
  std::vector<std::string> host_lookups;    // getaddrinfo calls it must make, in order
  bool numeric_port = false;                // the port was digits: no service lookup allowed
};

// for_listen: an empty host means every local address (listen) rather than this host (dial).
expectation expect(std::string_view network, std::string_view addr, bool for_listen);

}  // namespace address_oracle
