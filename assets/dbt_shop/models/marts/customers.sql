with order_stats as (
    select customer_id, count(*) as number_of_orders, sum(amount) as lifetime_value,
           min(order_date) as first_order, max(order_date) as most_recent_order
    from {{ ref('orders') }}
    group by customer_id
)
select
    c.customer_id,
    c.first_name,
    c.country,
    s.first_order,
    s.most_recent_order,
    coalesce(s.number_of_orders, 0) as number_of_orders,
    coalesce(s.lifetime_value, 0) as lifetime_value
from {{ ref('stg_customers') }} c
left join order_stats s using (customer_id)
