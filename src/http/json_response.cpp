#include "http/json_response.hpp"

#include <boost/json/serialize.hpp>

namespace seckill::http {

Response json_response(boost::beast::http::status status, const boost::json::value& value) {
  return Response(status, boost::json::serialize(value));
}

}  // namespace seckill::http
