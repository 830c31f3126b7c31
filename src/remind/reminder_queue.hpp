#pragma once
// The queue of accepted reminders between the coordinator and the store (Redis streams with a
// consumer group, distributed mode only); delivery/durable_queue.hpp has the contract.

#include "core/reminder.hpp"
#include "delivery/durable_queue.hpp"

namespace seckill::remind {

using QueuedReminder = delivery::Queued<ReminderEvent>;
using ReminderQueue = delivery::DurableQueue<ReminderEvent>;

}  // namespace seckill::remind
