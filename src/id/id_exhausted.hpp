#pragma once
// Running out of ids is an infrastructure failure like Redis being down: nobody on the request
// path can fix it, the request is answered 503 and ids come back by themselves (the next UTC day
// opens a new sequence).

#include "core/infra_error.hpp"

namespace seckill::id {

/// The 32-bit sequence of the current UTC day is used up (every process together took 2^32 - 1
/// ids today), or the clock is past the last second an id can hold (2092).
class IdExhausted : public InfraError {
 public:
  using InfraError::InfraError;
};

}  // namespace seckill::id
