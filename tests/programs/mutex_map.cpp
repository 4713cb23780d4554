// Program: a map shared by many goroutines under a goro::mutex (Go's sync.Mutex idiom:
// a struct holding the mutex and what it guards), with its stop-word table loaded once
// by whichever goroutine needs it first (goro::once, Go's sync.Once). 64 goroutines
// count the words of their documents; checks every count and that the table was loaded
// exactly once.
#include <goro/goro.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "program_check.hpp"

namespace {

class word_counter {
 public:
  void add(const std::string& word) {
    std::lock_guard lk(mu_);
    ++counts_[word];
  }
  std::map<std::string, long> snapshot() {
    std::lock_guard lk(mu_);
    return counts_;
  }

 private:
  goro::mutex mu_;  // guards counts_
  std::map<std::string, long> counts_;
};

goro::once stop_words_once;
std::set<std::string> stop_words;
std::atomic<int> stop_word_loads{0};

const std::set<std::string>& get_stop_words() {
  stop_words_once.call([] {
    ++stop_word_loads;
    stop_words = {"the", "a", "of"};
  });
  return stop_words;
}

}  // namespace

int main() {
  return goro::run([] {
    const char* name = "mutex_map";
    const int n_goroutines = 64;
    const int docs_each = static_cast<int>(goro_programs::scaled(200, 10));
    const std::vector<std::string> docs = {"the cat sat on a mat", "a dog of the town", "cat and dog"};

    word_counter counter;
    goro::wait_group wg;
    for (int g = 0; g < n_goroutines; ++g) {
      wg.add(1);
      goro::go([&, g] {
        for (int d = 0; d < docs_each; ++d) {
          std::istringstream words(docs[(g + d) % docs.size()]);
          for (std::string w; words >> w;)
            if (!get_stop_words().count(w)) counter.add(w);
        }
        wg.done();
      });
    }
    wg.wait();

    // Each goroutine counts docs_each documents, cycling through docs from its own start.
    std::map<std::string, long> want;
    for (int g = 0; g < n_goroutines; ++g)
      for (int d = 0; d < docs_each; ++d) {
        std::istringstream words(docs[(g + d) % docs.size()]);
        for (std::string w; words >> w;)
          if (w != "the" && w != "a" && w != "of") ++want[w];
      }
    bool ok = true;
    const std::map<std::string, long> got = counter.snapshot();
    ok &= goro_programs::expect_eq(name, "distinct words", got.size(), want.size());
    for (const auto& [w, n] : want) {
      auto it = got.find(w);
      const std::string what = "count of \"" + w + "\"";
      ok &= goro_programs::expect_eq(name, what.c_str(), it == got.end() ? 0L : it->second, n);
    }
    ok &= goro_programs::expect_eq(name, "stop-word loads", stop_word_loads.load(), 1);
    ok = goro_programs::expect_bounded(name, 1, 0, 32) && ok;
    return goro_programs::result(name, ok);
  });
}
