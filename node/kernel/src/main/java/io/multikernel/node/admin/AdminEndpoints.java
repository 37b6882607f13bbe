package io.multikernel.node.admin;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.multikernel.node.service.ServiceApi;
import io.multikernel.node.service.ServiceEndpoint;

/**
 * The admin server's routing table: its own routes, then the endpoints of the services it was
 * given, fixed when the server starts. A request path goes to the one route that matches it (paths
 * do not overlap), or to {@link AdminEndpoint#UNKNOWN}.
 */
final class AdminEndpoints
{
    private final List<AdminEndpoint> routes;
    private final String served;

    private AdminEndpoints(final List<AdminEndpoint> routes)
    {
        this.routes = List.copyOf(routes);
        this.served = describe(this.routes);
    }

    /**
     * @param services the services whose endpoints the server serves.
     * @return the table.
     * @throws IllegalArgumentException naming an endpoint whose name or path clashes with another's.
     */
    static AdminEndpoints of(final List<ServiceApi> services)
    {
        final List<AdminEndpoint> routes = new ArrayList<>(AdminEndpoint.BUILT_IN);
        final Set<String> tags = new HashSet<>();
        AdminEndpoint.BUILT_IN.forEach(route -> tags.add(route.tag()));
        tags.add(AdminEndpoint.UNKNOWN.tag());
        final List<ServiceEndpoint> declared = new ArrayList<>();
        for (final ServiceApi service : services)
        {
            for (final ServiceEndpoint endpoint : service.endpoints())
            {
                if (!tags.add(endpoint.name()))
                {
                    throw new IllegalArgumentException("endpoint name " + endpoint.name() + " is used twice; " +
                        "give each endpoint a name of its own");
                }
                for (final AdminEndpoint builtIn : AdminEndpoint.BUILT_IN)
                {
                    if (endpoint.matches(builtIn.path()))
                    {
                        throw new IllegalArgumentException("endpoint " + endpoint.name() + " at " + endpoint.path() +
                            " overlaps the admin server's own " + builtIn.path());
                    }
                }
                for (final ServiceEndpoint other : declared)
                {
                    if (endpoint.overlaps(other))
                    {
                        throw new IllegalArgumentException("endpoint " + endpoint.name() + " at " + endpoint.path() +
                            " overlaps endpoint " + other.name() + " at " + other.path());
                    }
                }
                declared.add(endpoint);
                routes.add(AdminEndpoint.of(AdminEndpoint.FIRST_SERVICE_INDEX + declared.size() - 1, endpoint));
            }
        }
        return new AdminEndpoints(routes);
    }

    /**
     * @param rawPath the request path as sent, without the query; not decoded.
     * @return the route that answers it, or {@link AdminEndpoint#UNKNOWN}.
     */
    AdminEndpoint route(final String rawPath)
    {
        for (final AdminEndpoint route : routes)
        {
            if (route.matches(rawPath))
            {
                return route;
            }
        }
        return AdminEndpoint.UNKNOWN;
    }

    /**
     * @return every route, {@link AdminEndpoint#UNKNOWN} included, in index order.
     */
    List<AdminEndpoint> all()
    {
        final List<AdminEndpoint> all = new ArrayList<>(routes.size() + 1);
        all.addAll(AdminEndpoint.BUILT_IN);
        all.add(AdminEndpoint.UNKNOWN);
        all.addAll(routes.subList(AdminEndpoint.BUILT_IN.size(), routes.size()));
        return all;
    }

    /**
     * @return one more than the largest route index.
     */
    int count()
    {
        return routes.size() + 1;
    }

    /**
     * @return the paths served, for the 404 message: {@code /metrics, /health, ... or POST /bench/shootdown};
     * a path that takes no GET is preceded by its methods.
     */
    String served()
    {
        return served;
    }

    private static String describe(final List<AdminEndpoint> routes)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < routes.size(); i++)
        {
            final AdminEndpoint route = routes.get(i);
            if (i > 0)
            {
                text.append(i == routes.size() - 1 ? " or " : ", ");
            }
            if (!route.methods().contains("GET"))
            {
                text.append(String.join("/", route.methods())).append(' ');
            }
            text.append(route.path());
        }
        return text.toString();
    }
}
