package io.multikernel.node.admin;

import java.util.List;

import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;
import io.multikernel.node.service.ServiceResponse;

/** Test helper: services that declare the endpoints a core serves, answering {@code {}}. */
final class ServiceEndpointsForTests
{
    private ServiceEndpointsForTests()
    {
    }

    /**
     * @return a service with replication's endpoints ({@code /kv}, {@code /2pc} and below, GET and
     * POST) and the shootdown benchmark's ({@code POST /bench/shootdown}).
     */
    static ServiceApi replicationAndShootdownBench()
    {
        return () -> List.of(
            ServiceEndpoint.prefix("kv", "/kv", request -> ServiceResponse.ok("{}"), "GET", "POST"),
            ServiceEndpoint.prefix("2pc", "/2pc", request -> ServiceResponse.ok("{}"), "GET", "POST"),
            ServiceEndpoint.exact("bench_shootdown", "/bench/shootdown", request -> ServiceResponse.ok("{}"), "POST"));
    }
}
