#include "core/voucher.hpp"

#include <fmt/format.h>

namespace seckill {

std::optional<Failure> validate(const NewVoucher& v) {
  if (v.title.empty() || v.title.size() > kMaxVoucherTitleBytes) {
    return Failure{ErrorCode::bad_request,
                   fmt::format("title must be 1 to {} bytes", kMaxVoucherTitleBytes),
                   {}};
  }
  if (v.stock < 1 || v.stock > kMaxVoucherStock) {
    return Failure{ErrorCode::bad_request,
                   fmt::format("stock must be an integer from 1 to {}", kMaxVoucherStock),
                   {}};
  }
  if (!(v.begin_at < v.end_at)) {
    return Failure{ErrorCode::bad_request, "end_at must be later than begin_at", {}};
  }
  return std::nullopt;
}

SaleWindow sale_window(const Voucher& v, SysTime now) {
  return sale_window(v.begin_at, v.end_at, now);
}

SaleWindow sale_window(SysTime begin_at, SysTime end_at, SysTime now) {
  if (now < begin_at) return SaleWindow::not_started;
  if (now >= end_at) return SaleWindow::ended;
  return SaleWindow::open;
}

std::optional<VoucherStatus> parse_voucher_status(std::string_view text) {
  if (text == "upcoming") return VoucherStatus::upcoming;
  if (text == "live") return VoucherStatus::live;
  if (text == "ended") return VoucherStatus::ended;
  return std::nullopt;
}

}  // namespace seckill
