// goro: Go's concurrency model in C++20. The umbrella header.
#pragma once

#include "goro/chan.hpp"
#include "goro/condition_variable.hpp"
#include "goro/context.hpp"
#include "goro/debug.hpp"
#include "goro/errgroup.hpp"
#include "goro/mutex.hpp"
#include "goro/net.hpp"
#include "goro/once.hpp"
#include "goro/panic.hpp"
#include "goro/runtime.hpp"
#include "goro/select.hpp"
#include "goro/semaphore.hpp"
#include "goro/shared_mutex.hpp"
#include "goro/time.hpp"
#include "goro/timer.hpp"
#include "goro/wait_group.hpp"
