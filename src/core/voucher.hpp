#pragma once
// A voucher on flash sale, and the rules about it that need no I/O: what a valid new voucher is,
// and when its sale window is open.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error_code.hpp"
#include "core/rfc3339.hpp"

namespace seckill {

struct Voucher {
  std::uint64_t id = 0;
  std::string title;
  std::int64_t stock_total = 0;
  std::int64_t stock_left = 0;
  SysTime begin_at;
  SysTime end_at;
  SysTime created_at;
};

/// What an admin asks for in `POST /api/v1/vouchers`, before it has an id.
struct NewVoucher {
  std::string title;
  std::int64_t stock = 0;
  SysTime begin_at;
  SysTime end_at;
};

inline constexpr std::int64_t kMaxVoucherStock = 1'000'000'000;
inline constexpr std::size_t kMaxVoucherTitleBytes = 200;

/// The contract's limits: title 1..200 bytes, stock 1..1e9, begin_at < end_at. The failure's
/// message names the field.
std::optional<Failure> validate(const NewVoucher& v);

/// Where `now` stands against the sale window [begin_at, end_at).
enum class SaleWindow { not_started, open, ended };
SaleWindow sale_window(const Voucher& v, SysTime now);
SaleWindow sale_window(SysTime begin_at, SysTime end_at, SysTime now);

/// A listing's filter (`GET /api/v1/vouchers?status=`): the same three cases as SaleWindow,
/// named as the contract names them (upcoming: begin_at > now; live: begin_at <= now < end_at;
/// ended: end_at <= now, begin_at <= end_at being kept by creation and by ending a sale).
enum class VoucherStatus { upcoming, live, ended };
std::optional<VoucherStatus> parse_voucher_status(std::string_view text);

}  // namespace seckill
