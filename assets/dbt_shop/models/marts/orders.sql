{{ config(materialized='incremental', unique_key='order_id') }}

with payments as (
    select order_id, sum(amount) as amount, sum(credit_card_amount) as credit_card_amount,
           sum(coupon_amount) as coupon_amount, count(*) as n_payments
    from {{ ref('stg_payments') }}
    group by order_id
)
select
    o.order_id,
    o.customer_id,
    o.order_date,
    o.status,
    coalesce(p.amount, 0) as amount,
    coalesce(p.credit_card_amount, 0) as credit_card_amount,
    coalesce(p.coupon_amount, 0) as coupon_amount,
    coalesce(p.n_payments, 0) as n_payments
from {{ ref('stg_orders') }} o
left join payments p using (order_id)
{% if is_incremental() %}
where o.order_date >= (select max(order_date) from {{ this }})
{% endif %}
