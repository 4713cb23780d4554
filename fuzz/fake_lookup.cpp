// fake_lookup: deterministic, offline getaddrinfo / freeaddrinfo / getservbyname_r for
// the address fuzzer (see fake_lookup.h for the answers). A definition in the program
// takes precedence over glibc's and over the sanitizers' weak interceptors, so goro's
// calls land here; the harness checks at start-up that they do.
#include "fake_lookup.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace fake_lookup {

record& calls() {
  static record r;
  return r;
}

void reset() {
  calls().hosts.clear();
  calls().services.clear();
}

std::vector<std::pair<int, std::string>> hosts_for(std::string_view host) {
  if (host == "localhost") return {{AF_INET6, "::1"}, {AF_INET, "127.0.0.1"}, {AF_INET, "127.0.0.1"}};
  if (host == "v4.test") return {{AF_INET, "192.0.2.1"}, {AF_INET, "192.0.2.2"}};
  if (host == "v6.test") return {{AF_INET6, "2001:db8::1"}};
  return {};
}

int service_port(std::string_view name, std::string_view proto) {
  if (name == "http") return 80;
  if (name == "domain") return 53;
  if (name == "tftp" && proto == "udp") return 69;
  return 0;
}

}  // namespace fake_lookup

namespace {

// One addrinfo node with its sockaddr in the same allocation (freed as one).
addrinfo* node(int family, const char* text, const addrinfo* hints) {
  if (hints && hints->ai_family != AF_UNSPEC && hints->ai_family != family) return nullptr;
  struct block {
    addrinfo ai;
    sockaddr_storage sa;
  };
  auto* b = static_cast<block*>(std::calloc(1, sizeof(block)));
  if (!b) std::abort();
  b->ai.ai_family = family;
  b->ai.ai_socktype = hints ? hints->ai_socktype : 0;
  b->ai.ai_addr = reinterpret_cast<sockaddr*>(&b->sa);
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&b->sa);
    in->sin_family = AF_INET;
    inet_pton(AF_INET, text, &in->sin_addr);
    b->ai.ai_addrlen = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&b->sa);
    in6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, text, &in6->sin6_addr);
    b->ai.ai_addrlen = sizeof(sockaddr_in6);
  }
  return &b->ai;
}

// Appends n to the list ending at *tail.
void append(addrinfo**& tail, addrinfo* n) {
  if (!n) return;
  *tail = n;
  tail = &n->ai_next;
}

}  // namespace

extern "C" int getaddrinfo(const char* host, const char* service, const addrinfo* hints, addrinfo** res) {
  *res = nullptr;
  if (!host || service) return EAI_FAIL;  // goro passes a host and no service
  fake_lookup::calls().hosts.emplace_back(host);
  addrinfo* list = nullptr;
  addrinfo** tail = &list;
  for (const auto& [family, text] : fake_lookup::hosts_for(host)) append(tail, node(family, text.c_str(), hints));
  if (!list) return EAI_NONAME;
  *res = list;
  return 0;
}

extern "C" void freeaddrinfo(addrinfo* list) {
  while (list) {
    addrinfo* next = list->ai_next;
    std::free(list);  // the node and its sockaddr are one block
    list = next;
  }
}

extern "C" int getservbyname_r(const char* name, const char* proto, servent* result, char* buf, std::size_t buflen,
                               servent** found) {
  (void)buf;
  (void)buflen;
  *found = nullptr;
  fake_lookup::calls().services.emplace_back(name);
  int port = fake_lookup::service_port(name, proto ? proto : "");
  if (port == 0) return 0;  // glibc: 0 and no entry when the name is unknown
  std::memset(result, 0, sizeof *result);
  result->s_port = static_cast<int>(htons(static_cast<std::uint16_t>(port)));
  *found = result;
  return 0;
}
