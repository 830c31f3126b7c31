#pragma once
// Moves decided orders from the queue to the store in every instance (delivery/batch_writer.hpp
// has the semantics). The store skips an order it already has (same id, or same user and
// voucher), so writing twice leaves one row.

#include "delivery/batch_writer.hpp"
#include "sale/order_queue.hpp"
#include "sale/sale_store.hpp"

namespace seckill::sale {

class OrderWriter : public delivery::BatchWriter<Order> {
 public:
  /// The queue and the store must outlive the writer.
  OrderWriter(OrderQueue& queue, SaleStore& store, delivery::BatchWriterOptions options = {})
      : BatchWriter(
            queue,
            [&store](std::vector<Order> orders) { return store.write_orders(std::move(orders)); },
            "order", options) {}
};

}  // namespace seckill::sale
