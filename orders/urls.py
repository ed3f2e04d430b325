from django.urls import path

from .views import buyer, seller

app_name = "orders"

urlpatterns = [
    path("cart/", buyer.cart, name="cart"),
    path("cart/add/", buyer.cart_add, name="cart-add"),
    path("cart/<int:line_id>/quantity/", buyer.cart_update, name="cart-update"),
    path("cart/<int:line_id>/remove/", buyer.cart_remove, name="cart-remove"),
    path("cart/<int:line_id>/save/", buyer.cart_save, name="cart-save"),
    path("checkout/", buyer.checkout, name="checkout"),
    path("checkout/address/", buyer.address_add, name="address-add"),
    path("checkout/<int:group_id>/pay/", buyer.pay, name="pay"),
    path("checkout/<int:group_id>/pay-again/", buyer.pay_again, name="pay-again"),
    path("checkout/<int:group_id>/payment/", buyer.payment_return, name="payment-return"),
    path("orders/", buyer.order_list, name="list"),
    path("orders/<int:order_id>/", buyer.order_detail, name="detail"),
    path("orders/<int:order_id>/cancel/", buyer.order_cancel, name="cancel"),
    path("orders/<int:order_id>/received/", buyer.order_confirm_delivery, name="confirm-delivery"),
    path("orders/<int:order_id>/return/", buyer.return_request, name="return-request"),
    path("returns/<int:return_id>/answer/", buyer.return_answer, name="return-answer"),
    path("returns/<int:return_id>/sent/", buyer.return_sent, name="return-sent"),
    path("seller/orders/", seller.order_list, name="seller-list"),
    path("seller/orders/confirm/", seller.bulk_confirm, name="seller-bulk-confirm"),
    path("seller/orders/<int:order_id>/", seller.order_detail, name="seller-detail"),
    path("seller/orders/<int:order_id>/confirm/", seller.order_confirm, name="seller-confirm"),
    path("seller/orders/<int:order_id>/ship/", seller.order_ship, name="seller-ship"),
    path("seller/orders/<int:order_id>/cancel/", seller.order_cancel, name="seller-cancel"),
    path("seller/orders/<int:order_id>/slip/", seller.packing_slip, name="seller-slip"),
    path("seller/returns/", seller.return_list, name="seller-returns"),
    path("seller/returns/<int:return_id>/decide/", seller.return_decide, name="seller-return-decide"),
    path("seller/returns/<int:return_id>/receive/", seller.return_receive, name="seller-return-receive"),
    path("seller/delivery/", seller.delivery_methods, name="seller-delivery"),
    path("seller/delivery/<int:method_id>/", seller.delivery_methods, name="seller-delivery-edit"),
    path("seller/return-policy/", seller.return_policy, name="seller-return-policy"),
    path("seller/money/", seller.money, name="seller-money"),
]
