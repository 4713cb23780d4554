// goro: Go's concurrency model in C++20. The umbrella header.
#pragma once

#include "goro/panic.hpp"
#include "goro/runtime.hpp"
#include "goro/time.hpp"
#include "goro/wait_group.hpp"
