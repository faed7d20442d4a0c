-- a fraud rate above 10% means the labels are broken, not that fraud exploded
select avg(is_fraud) as fraud_rate
from {{ ref('fct_transactions') }}
having avg(is_fraud) > 0.1
