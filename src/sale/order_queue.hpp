#pragma once
// The queue of decided orders between the coordinator and the store (Redis streams in the
// distributed mode; embedded, the store is written before the answer and there is no queue).

#include "core/order.hpp"
#include "delivery/durable_queue.hpp"

namespace seckill::sale {

using QueuedOrder = delivery::Queued<Order>;
using OrderQueue = delivery::DurableQueue<Order>;

}  // namespace seckill::sale
