package run.ats.broker.front;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import tools.jackson.databind.json.JsonMapper;


/** The broker's own answers on the public port: RFC 9457 problem details, and the connection closes after. */
final class Problems {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Problems() {
    }

    static FullHttpResponse of(HttpResponseStatus status, String slug, String title, String detail) {
        byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode()
                .put("type", "https://ats.run/problems/" + slug)
                .put("title", title)
                .put("status", status.code())
                .put("detail", detail));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/problem+json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set("X-Content-Type-Options", "nosniff");
        if (status.code() == 503) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, "5");
        }
        return response;
    }
}
